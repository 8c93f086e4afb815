package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveReader;
import io.qontrek.factorydr.archive.UniquePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import io.qontrek.factorydr.common.FileSystemSync;
import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.common.Processes;
import io.qontrek.factorydr.runtime.ProofFile;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Unpacks one archive into a staging directory, the mirror of the backup pipeline's tar step, and the
 * only code that turns archive entry names into paths.
 *
 * <p>What it refuses, naming the entry (one-line {@link ArchiveException}), before writing it:
 * <ul>
 *   <li>absolute names, {@code ..}, {@code .} or empty components, NUL, backslash (checked here and
 *       again by {@link ArchiveReader}: two independent checks of the one rule);</li>
 *   <li>symbolic and hard links, devices, FIFOs and any other non-regular entry ({@link ArchiveReader});</li>
 *   <li>two entries of one archive that name the same path ({@link UniquePaths}: no per-file state in
 *       memory), or a file where another entry needs a directory (and the reverse: the directories of
 *       an archive, which are few, are remembered). Names are compared exactly: since '.' and empty
 *       components are refused, equal paths have equal names. Names that differ only in case are
 *       different files on Linux and are allowed; on a case-insensitive file system the second would
 *       replace the first;</li>
 *   <li>any path whose real location is not inside the staging directory, checked with
 *       {@code toRealPath} on the parent directory after each missing component is created one at a
 *       time, so a symbolic link already inside staging cannot carry a write (or a mkdir) outside it.</li>
 * </ul>
 *
 * <p>Each new file is written under its name with O_EXCL; one that replaces an earlier archive's copy
 * (an incremental applied after its full wins) goes through a temporary name and a rename. Either way
 * it gets the entry's mtime and permission bits (setuid, setgid and sticky dropped), and, when this
 * process runs as root, the entry's numeric owner and group; otherwise it belongs to whoever restores,
 * and {@link ExtractResult#foreignOwners} counts the files recorded with another owner. The archive
 * verifier checks each header's mode, mtime and owner against the signed manifest where the manifest
 * records them. The staging directory itself is created owner-only (0700); the directories inside it
 * are created as the umask makes them, since they become the runtime's own.
 * The staging file system is then synced once ({@link #makeDurable}). Anything other than a regular file
 * in the way (a directory, a link) is refused. {@code manifest.json} is never written.
 *
 * <p>On failure the staging directory holds a partial extraction (never a partial file); the caller
 * discards staging. The staging directory is assumed to be private to this restore: concurrent
 * writers inside it are out of scope.
 */
public final class SafeExtractor {
    private static final String MANIFEST = "manifest.json";
    private static final int BUFFER = 64 * 1024;
    private static final Set<StandardOpenOption> CREATE_NEW_WRITE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

    /**
     * What was written: regular files, their total bytes, how many were recorded with another owner
     * than this process's (which only root can give them), and how many proof files (not digests)
     * replaced an earlier archive's copy: a proof changed in place since the full.
     */
    public record ExtractResult(long files, long bytes, long foreignOwners, long replacedProofFiles) {}

    private SafeExtractor() {}

    /**
     * Decrypts and unpacks {@code archive} into {@code stagingDir} (created if absent), writing only the
     * regular files and directories whose entry name {@code wanted} accepts (a directory's name ends in
     * '/'). Every entry is still checked, wanted or not, and the whole archive is read to its end, so a
     * corrupt or tampered tail fails the extraction.
     */
    public static ExtractResult extract(Path archive, byte[] password, Path stagingDir, Predicate<String> wanted)
            throws IOException {
        try (Extraction extraction = into(stagingDir, wanted); InputStream in = Files.newInputStream(archive)) {
            ArchiveReader.read(in, password, extraction);
            ExtractResult result = extraction.finish();
            makeDurable(stagingDir);
            return result;
        }
    }

    /**
     * An extraction into {@code stagingDir} (created if absent) as an entry visitor, for a reader that
     * checks the archive in the same pass ({@code ArchiveVerifier.verify(..., extractor)}). Call
     * {@link Extraction#finish()} once the whole archive has been read.
     */
    public static Extraction into(Path stagingDir, Predicate<String> wanted) throws IOException {
        OwnerOnly.directories(stagingDir);
        return new Extraction(stagingDir.toRealPath(), wanted);
    }

    /** The state of one extraction. */
    public static final class Extraction implements ArchiveReader.EntryVisitor, AutoCloseable {
        private enum Kind { FILE, DIRECTORY }

        private final Path root;
        private final Predicate<String> wanted;
        /** The directories of the archive (its entries and its files' parents): few, whatever the file count. */
        private final Set<String> directories = new HashSet<>();
        private final UniquePaths files;
        private final Map<Path, Instant> dirTimes = new LinkedHashMap<>();
        private long written;
        /** Directories already proven to be real directories inside root, by their path under root. */
        private final Map<String, Path> provenDirs = new HashMap<>();
        private final byte[] buffer = new byte[BUFFER];
        private long bytes;
        private long foreignOwners;
        private long replacedProofFiles;

        private final boolean posix;
        private final boolean asRoot = Processes.isRoot();
        private final NewFiles newFiles;
        /** The access time every restored file gets: the restore's, as tar gives. */
        private final FileTime startedAt = FileTime.from(Instant.now());

        Extraction(Path root, Predicate<String> wanted) throws IOException {
            this.root = root;
            this.wanted = wanted;
            this.posix = Files.getFileStore(root).supportsFileAttributeView("posix"); // once: it reads the mount table
            this.files = new UniquePaths(root.getParent());
            this.newFiles = NewFiles.probe(root, posix);
        }

        @Override
        public void visit(ArchiveReader.Entry entry, InputStream content) throws IOException {
            String name = entry.name();
            boolean directory = entry.type() == ArchiveReader.EntryType.DIRECTORY;
            String path = directory && name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            String problem = nameProblem(path);
            if (problem != null) throw refused(name, problem);
            claim(name, path, directory ? Kind.DIRECTORY : Kind.FILE);
            if (!directory && path.equals(MANIFEST)) return; // the archive's own description, never restored
            if (!wanted.test(directory ? path + "/" : path)) return;
            if (directory) {
                Path dir = directoryInside(name, path);
                dirTimes.put(dir, entry.mtime());
            } else {
                writeFile(entry, path, content);
            }
        }

        /**
         * Records a path and its parents, refusing a second entry for one file and file/directory
         * clashes. Files are kept in {@link UniquePaths}, directories (few) here.
         */
        private void claim(String name, String path, Kind kind) throws ArchiveException {
            if (kind == Kind.DIRECTORY) {
                if (directories.add(path) && files.contains(path)) {
                    throw refused(name, "is a directory but an earlier entry makes it a file");
                }
            } else {
                if (directories.contains(path)) throw refused(name, "is a file but an earlier entry makes it a directory");
                UniquePaths.Claim c = files.claim(path);
                if (c.repeated()) throw refused(name, "names the same file as an earlier entry");
                if (c.claimedParent() != null) throw refused(name, "'" + c.claimedParent() + "' is a file earlier in the archive");
            }
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                directories.add(path.substring(0, slash));
            }
        }

        private void writeFile(ArchiveReader.Entry entry, String path, InputStream content) throws IOException {
            int slash = path.lastIndexOf('/');
            Path dir = slash < 0 ? root : directoryInside(entry.name(), path.substring(0, slash));
            Path target = dir.resolve(path.substring(slash + 1));
            int mode = entry.mode() & 0777;
            // A new file is created under its own name with O_CREAT|O_EXCL, which never follows or reuses
            // anything already there (staging is private to this restore and a failure deletes it). Only when
            // that name is taken, by an earlier archive's copy (an incremental applied after its full), does
            // it go through a temporary name and a rename, so the earlier copy stays whole until the new one is.
            Path file = target;
            FileChannel out;
            try {
                out = create(file, mode);
            } catch (FileAlreadyExistsException taken) {
                if (!Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                    throw refused(entry.name(), "staging already holds something other than a regular file there");
                }
                file = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
                out = create(file, mode);
            }
            boolean done = false;
            try {
                long written = 0;
                try (FileChannel ch = out) {
                    for (int n; (n = content.read(buffer)) >= 0; ) {
                        ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                        try {
                            while (b.hasRemaining()) ch.write(b);
                        } catch (IOException e) { // the disk's failure (full, quota), not the archive's: say where
                            throw new IOException("cannot write '" + entry.name() + "' into the staging directory " + root
                                    + ": " + java.util.Objects.toString(e.getMessage(), e.getClass().getSimpleName()), e);
                        }
                        written += n;
                    }
                }
                if (written != entry.size()) {
                    throw refused(entry.name(), "holds " + written + " bytes, its header says " + entry.size());
                }
                if (posix) {
                    // A system call only where the new file differs from the entry: most of a million
                    // proofs need none, which halves the calls per file (see NewFiles).
                    boolean chowned = false;
                    if (asRoot) {
                        if (entry.uid() != newFiles.uid()) { // before chmod: chown(2) may clear mode bits
                            Files.setAttribute(file, "unix:uid", (int) entry.uid(), LinkOption.NOFOLLOW_LINKS);
                            chowned = true;
                        }
                        if (entry.gid() != newFiles.gid()) {
                            Files.setAttribute(file, "unix:gid", (int) entry.gid(), LinkOption.NOFOLLOW_LINKS);
                            chowned = true;
                        }
                    } else if (entry.uid() != Processes.effectiveUid()) {
                        foreignOwners++;
                    }
                    if (chowned || !newFiles.keepsMode(mode)) permissions(file, mode);
                }
                // both times given: with one left null the JDK reads the file's attributes first
                Files.getFileAttributeView(file, BasicFileAttributeView.class)
                        .setTimes(FileTime.from(entry.mtime()), startedAt, null);
                if (file != target) {
                    try {
                        // rename(2) replaces a regular file, or a link itself; it never writes through one
                        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        throw new IOException("cannot rename " + file + " atomically onto " + target, e);
                    }
                    if (isProofFile(path)) replacedProofFiles++;
                }
                done = true;
                this.written++;
                bytes += written;
            } finally {
                if (!done) Files.deleteIfExists(file);
            }
        }

        /** A proof file of proof/ (not a digest), by the runtime's own reading of its name. */
        private static boolean isProofFile(String path) {
            return path.startsWith("proof/") && ProofFile.seqOfFileName(path.substring("proof/".length())).isPresent();
        }

        /** O_CREAT|O_EXCL|O_WRONLY, asking for the entry's permission bits (which the umask may narrow). */
        private FileChannel create(Path file, int mode) throws IOException {
            return posix ? FileChannel.open(file, CREATE_NEW_WRITE, PosixFilePermissions.asFileAttribute(permissionSet(mode)))
                    : FileChannel.open(file, CREATE_NEW_WRITE);
        }

        /**
         * The directory for {@code path} under root, created one component at a time. Each existing
         * component must be a directory whose real path is inside root; each created one is created in
         * a parent already proven to be inside root.
         */
        private Path directoryInside(String name, String path) throws IOException {
            Path proven = provenDirs.get(path);
            if (proven != null) return proven; // nothing but this run writes into staging, and it makes no links
            Path dir = root;
            for (String part : path.split("/")) {
                Path next = dir.resolve(part);
                if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(next);
                }
                Path real = next.toRealPath();
                if (!real.startsWith(root)) {
                    throw refused(name, "'" + root.relativize(next) + "' in staging resolves to " + real + ", outside " + root);
                }
                if (!Files.isDirectory(real)) throw refused(name, "'" + root.relativize(next) + "' in staging is not a directory");
                dir = real;
            }
            provenDirs.put(path, dir);
            return dir;
        }

        /** Regular files written so far. */
        public long files() {
            return written;
        }

        /** Their bytes so far. */
        public long bytes() {
            return bytes;
        }

        /**
         * Ends the extraction: directory mtimes are set after their files, which change them. The
         * staged files are not durable yet: {@link #makeDurable} does that once for every archive of
         * the restore, while the staged runtime is checked.
         */
        public ExtractResult finish() throws IOException {
            for (Map.Entry<Path, Instant> d : dirTimes.entrySet()) {
                Files.setLastModifiedTime(d.getKey(), FileTime.from(d.getValue()));
            }
            close();
            return new ExtractResult(written, bytes, foreignOwners, replacedProofFiles);
        }

        /** Frees the file set's spool; {@link #finish} does it too. */
        @Override
        public void close() {
            files.close();
        }
    }

    /**
     * Makes everything staged under {@code staging} durable: one syncfs(2) of its file system
     * ({@link FileSystemSync}), not an fsync per file, which made a restore of 60,000 proofs wait 17 s
     * on the disk's journal. Where syncfs is not available, every file and directory in staging (this
     * restore's alone) is fsynced instead.
     */
    public static void makeDurable(Path staging) throws IOException {
        if (FileSystemSync.sync(staging)) return;
        try (var staged = Files.walk(staging)) {
            for (Path f : (Iterable<Path>) staged::iterator) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                    AtomicFile.fsync(f);
                }
            }
        }
    }

    /** Why {@code path} (no trailing '/') is not a safe relative name, or null. Mirrors archive.EntryNames. */
    static String nameProblem(String path) {
        if (path.isEmpty()) return "empty name";
        if (path.startsWith("/")) return "absolute name";
        if (path.indexOf('\0') >= 0) return "name contains NUL";
        if (path.indexOf('\\') >= 0) return "name contains a backslash";
        for (String part : path.split("/", -1)) {
            if (part.equals("..")) return "name contains '..'";
            if (part.isEmpty() || part.equals(".")) return "name has an empty or '.' component";
        }
        return null;
    }

    /** The recorded permission bits exactly, less setuid, setgid and sticky, which no runtime file of ours has. */
    private static void permissions(Path file, int mode) throws IOException {
        Files.setPosixFilePermissions(file, permissionSet(mode));
    }

    private static Set<PosixFilePermission> permissionSet(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE: 0400 .. 0001
        for (int i = 0; i < 9; i++) if ((mode & (1 << (8 - i))) != 0) perms.add(bits[i]);
        return perms;
    }

    /**
     * What a file created in staging gets without being told: its owner and group, and which of the
     * permission bits asked for at creation survive the umask (and any default ACL). Found once per
     * extraction by creating one probe file, rather than assumed, so the per-file chown and chmod can be
     * skipped exactly when they would change nothing.
     */
    record NewFiles(long uid, long gid, int keptBits) {
        static NewFiles probe(Path dir, boolean posix) throws IOException {
            if (!posix) return new NewFiles(-1, -1, 0);
            Path probe = dir.resolve(".new-file-probe." + UUID.randomUUID());
            try {
                Files.newByteChannel(probe, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(EnumSet.allOf(PosixFilePermission.class))).close();
                int kept = 0;
                for (PosixFilePermission p : Files.getPosixFilePermissions(probe, LinkOption.NOFOLLOW_LINKS)) {
                    kept |= 1 << (8 - p.ordinal());
                }
                return new NewFiles(((Number) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue(),
                        ((Number) Files.getAttribute(probe, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue(), kept);
            } finally {
                Files.deleteIfExists(probe);
            }
        }

        /** Whether a file created asking for {@code mode} has exactly {@code mode}. */
        boolean keepsMode(int mode) {
            return (mode & ~keptBits) == 0;
        }
    }

    private static ArchiveException refused(String name, String why) {
        return new ArchiveException("refusing tar entry '" + name + "': " + why);
    }
}
