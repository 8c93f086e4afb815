package io.qontrek.factorydr.common;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Files and directories only their owner can open, whatever the umask: the archive directory and
 * everything in it (archives, sidecars, the catalog, locks, recovery proofs, the scratch under
 * {@code .work}, with its plaintext database snapshots and the drill's staged runtime), and every
 * restore staging directory. A directory is 0700 and a file 0600 from the moment it exists: the mode
 * is given to mkdir(2) and open(2), which the umask can only narrow, and is set again when the umask
 * was narrower than that, so no other user ever sees what is inside even briefly.
 */
public final class OwnerOnly {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private OwnerOnly() {}

    /**
     * {@code dir} and any missing parents, each created 0700. Directories that exist already are left as
     * they are (java.io.tmpdir, an operator's volume); {@link #tighten} is for the ones that are ours.
     */
    public static Path directories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) missing.add(0, p);
        for (Path p : missing) {
            try {
                if (POSIX) Files.createDirectory(p, PosixFilePermissions.asFileAttribute(DIRECTORY));
                else Files.createDirectory(p);
                tighten(p, DIRECTORY); // a umask of 0277, say, would leave it without owner write
            } catch (FileAlreadyExistsException raced) {
                // made meanwhile by a concurrent run
            }
        }
        if (!Files.isDirectory(absolute)) throw new FileAlreadyExistsException(absolute + " exists and is not a directory");
        return dir;
    }

    /** Creates {@code file}, which must not exist (O_EXCL), 0600, and opens it with {@code options} (WRITE at least). */
    public static FileChannel create(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> opts = new java.util.HashSet<>(List.of(options));
        opts.add(StandardOpenOption.CREATE_NEW);
        opts.add(StandardOpenOption.WRITE);
        FileChannel ch = POSIX ? FileChannel.open(file, opts, PosixFilePermissions.asFileAttribute(FILE)) : FileChannel.open(file, opts);
        try {
            tighten(file, FILE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /** Opens {@code file} for writing, creating it 0600 if it does not exist (a lock file, say). */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> opts = new java.util.HashSet<>(List.of(options));
        opts.add(StandardOpenOption.CREATE);
        FileChannel ch = POSIX ? FileChannel.open(file, opts, PosixFilePermissions.asFileAttribute(FILE)) : FileChannel.open(file, opts);
        try {
            tighten(file, FILE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /** Creates an empty file 0600 (for a tool that then writes into it, such as SQLite's VACUUM INTO). */
    public static Path createEmpty(Path file) throws IOException {
        create(file).close();
        return file;
    }

    /**
     * Makes an existing file or directory owner-only (0600 or 0700) if it is ours: an archive directory
     * made before this rule, or by hand. Another user's is left alone: an operator who mounted it so
     * chose its mode.
     */
    public static void tighten(Path p) throws IOException {
        tighten(p, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? DIRECTORY : FILE);
    }

    private static void tighten(Path p, Set<PosixFilePermission> wanted) throws IOException {
        if (!POSIX) return;
        if (Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS).equals(wanted)) return;
        if (!Processes.ownedByUs(p)) return;
        Files.setPosixFilePermissions(p, wanted);
    }
}
