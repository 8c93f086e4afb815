package io.qontrek.factorydr.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Proves an archive file is whole, ours and restorable, in one streaming pass over it. The checks, and
 * the order in which the first failure is reported (one line naming it):
 * <ol type="a">
 *   <li>{@code X.sha256} exists, is one sha256sum line naming X, and matches X's SHA-256;</li>
 *   <li>{@code X.manifest.json} parses, its signature verifies, its archive name/size/sha256 are X's;</li>
 *   <li>X decrypts (padding included), its gzip stream is intact, its tar is intact;</li>
 *   <li>the tar's entries are the manifest's files, in its order, each of its size and SHA-256, and,
 *       where the manifest records a file's mode, mtime, uid and gid, with those in its tar header;</li>
 *   <li>the last entry is {@code manifest.json} and equals the sidecar manifest without archive and
 *       signature (compared as RFC 8785 canonical JSON, so either pretty or canonical form passes).</li>
 * </ol>
 *
 * <p>It is the one verifier: the backup's read-back after writing ({@code ArchiveReadBack}) runs the
 * same {@link #read pass} over the bytes as they reach the file, and the same {@link #judge} once the
 * sidecars exist. Memory does not grow with the archive: what the pass saw of each entry goes into a
 * {@link FileList}, and both manifests are parsed as streams into lists of their own, which the judge
 * compares record by record.
 *
 * <p>A restore verifies and extracts in that one pass ({@link #verify(Path, byte[], byte[],
 * ArchiveReader.EntryVisitor)}): each entry goes to the extractor while it is being hashed, so the
 * archive is read once. What the extractor wrote is trustworthy only if the call returns normally;
 * on any failure the caller discards it.
 */
public final class ArchiveVerifier {
    private final Path spillDir;

    /** Lists spill into java.io.tmpdir. */
    public ArchiveVerifier() {
        this(null);
    }

    /** Lists longer than a few thousand files spill into {@code spillDir} (null: java.io.tmpdir). */
    public ArchiveVerifier(Path spillDir) {
        this.spillDir = spillDir;
    }

    /** What was verified: the manifest's file count and their total bytes, the archive file's size, the manifest. */
    public record VerifyResult(String backupId, long files, long bytes, long archiveSize, String archiveSha256, Manifest manifest) {}

    /** The sidecars of an archive as read back from disk: the sha256sum line's hash, and the manifest or why it is not one. */
    public record Sidecar(String sha256, Manifest manifest, ArchiveException manifestProblem) implements AutoCloseable {
        @Override
        public void close() {
            if (manifest != null) manifest.close();
        }
    }

    /** What one pass over an archive's bytes saw. Close it to free its lists. */
    public static final class Seen implements AutoCloseable {
        private final FileList.Builder entries;
        private FileList files;
        private Manifest inTar;
        private String inTarProblem;
        private String fileProblem;
        private ArchiveException streamProblem;
        private Exception extractorProblem;
        private long size;
        private String sha256;

        private Seen(Path spillDir) {
            entries = FileList.builder(spillDir);
        }

        /** Bytes read from the archive's file. */
        public long size() {
            return size;
        }

        public String sha256() {
            return sha256;
        }

        @Override
        public void close() {
            entries.close();
            if (files != null) files.close();
            if (inTar != null) inTar.close();
        }
    }

    public VerifyResult verify(Path archiveFile, byte[] password, byte[] signingSecret) throws ArchiveException {
        try {
            return verify(archiveFile, password, signingSecret, null);
        } catch (ArchiveException e) {
            throw e;
        } catch (IOException e) {
            throw new ArchiveException(archiveFile.getFileName() + ": cannot read: " + e.getMessage(), e); // no extractor: not reached
        }
    }

    /**
     * Verifies as {@link #verify(Path, byte[], byte[])} does and hands every entry, in archive order
     * and while it is being hashed, to {@code extractor} (null: none). Nothing reaches the extractor
     * unless the sidecar manifest verifies. If the extractor fails, the rest of the file is still
     * hashed: a corrupt or foreign archive is reported as such first, otherwise the extractor's own
     * exception is rethrown. The result's manifest is the caller's to close.
     */
    public VerifyResult verify(Path archiveFile, byte[] password, byte[] signingSecret, ArchiveReader.EntryVisitor extractor)
            throws IOException {
        String x = archiveFile.getFileName().toString();
        if (!Files.isRegularFile(archiveFile)) throw new ArchiveException(x + ": archive file missing");
        Sidecar sidecar = readSidecars(archiveFile, signingSecret);
        boolean ok = false;
        try (InputStream file = Files.newInputStream(archiveFile);
             Seen seen = read(file, sidecar.manifestProblem() == null ? password : null, extractor)) {
            VerifyResult result = judge(archiveFile, sidecar, seen);
            ok = true;
            return result;
        } catch (NoSuchFileException e) {
            throw new ArchiveException(x + ": archive file missing");
        } finally {
            if (!ok) sidecar.close();
        }
    }

    /**
     * Reads X's sidecars: the {@code .sha256} line (its format is checked at once: (a)) and the
     * manifest, with its signature and archive name checked ((b), kept to be reported after (a)).
     */
    public Sidecar readSidecars(Path archiveFile, byte[] signingSecret) throws ArchiveException {
        String x = archiveFile.getFileName().toString();
        String sidecarSha = Sidecars.readSha256(archiveFile);
        Manifest manifest = null;
        try {
            manifest = Sidecars.readManifest(archiveFile, spillDir);
            if (!ManifestSignature.verify(manifest, signingSecret)) {
                throw new ArchiveException(Sidecars.manifestPath(archiveFile).getFileName() + ": signature does not verify");
            }
            String name = manifest.archive().name();
            if (!name.equals(x) && !name.endsWith("/" + x)) {
                throw new ArchiveException(Sidecars.manifestPath(archiveFile).getFileName() + ": archive.name '" + name + "' is not " + x);
            }
            return new Sidecar(sidecarSha, manifest, null);
        } catch (ArchiveException e) {
            if (manifest != null) manifest.close();
            return new Sidecar(sidecarSha, null, e);
        }
    }

    /**
     * The pass: reads {@code archiveBytes} to its end, hashing all of it, and (with a password) decrypts,
     * gunzips and untars it, recording each entry's size and SHA-256 and handing it to
     * {@code extractor} (null: none). Without a password only the file's hash is taken. Failures are
     * recorded for {@link #judge}, not thrown; only failing to read the bytes at all is.
     */
    public Seen read(InputStream archiveBytes, byte[] password, ArchiveReader.EntryVisitor extractor) throws IOException {
        Seen seen = new Seen(spillDir);
        boolean ok = false;
        try (HashingInputStream file = new HashingInputStream(archiveBytes)) {
            if (password != null) {
                try {
                    ArchiveReader.read(file, password, new EntryCheck(seen, extractor));
                } catch (ArchiveException e) {
                    seen.streamProblem = e;
                } catch (ExtractorFailure e) {
                    seen.extractorProblem = (Exception) e.getCause();
                }
            }
            file.drain(); // whatever the reader did not need still counts for (a)
            seen.size = file.count();
            seen.sha256 = file.sha256Hex();
            seen.files = seen.entries.seal();
            ok = true;
            return seen;
        } finally {
            if (!ok) seen.close();
        }
    }

    /** Checks (a) to (e) for what the pass saw against X's sidecars; fails with one line naming the first problem. */
    public VerifyResult judge(Path archiveFile, Sidecar sidecar, Seen seen) throws IOException {
        String x = archiveFile.getFileName().toString();
        if (!seen.sha256.equals(sidecar.sha256())) {
            ArchiveException mismatch = new ArchiveException(x + ": SHA-256 does not match " + x + ".sha256");
            if (seen.extractorProblem != null) mismatch.addSuppressed(seen.extractorProblem);
            throw mismatch;
        }
        if (sidecar.manifestProblem() != null) throw sidecar.manifestProblem();
        Manifest manifest = sidecar.manifest();
        String sidecarName = Sidecars.manifestPath(archiveFile).getFileName().toString();
        if (manifest.archive().size() != seen.size) {
            throw new ArchiveException(sidecarName + ": archive.size " + manifest.archive().size() + " but " + x + " is " + seen.size + " bytes");
        }
        if (!manifest.archive().sha256().equals(seen.sha256)) throw new ArchiveException(sidecarName + ": archive.sha256 does not match " + x);
        if (seen.streamProblem instanceof FirstBlockNotGzip) {
            throw new WrongKeyException(x, seen.streamProblem);
        }
        if (seen.streamProblem != null) throw new ArchiveException(x + ": " + seen.streamProblem.getMessage(), seen.streamProblem);
        if (seen.extractorProblem instanceof IOException e) throw e;
        if (seen.extractorProblem instanceof RuntimeException e) throw e;
        String problem = seen.fileProblem != null ? seen.fileProblem : filesProblem(manifest.files(), seen.files);
        if (problem == null) problem = inTarProblem(manifest, seen);
        if (problem != null) throw new ArchiveException(x + ": " + problem);
        return new VerifyResult(manifest.backupId(), manifest.files().count(), seen.files.contentBytes(), seen.size, seen.sha256, manifest);
    }

    /** (d): the entries seen against the manifest's files, record by record. */
    private static String filesProblem(FileList want, FileList got) {
        Iterator<FileRecord> wanted = want.iterator();
        for (FileRecord g : got) {
            if (!wanted.hasNext()) return "'" + g.path() + "' is in the archive but not in the manifest";
            FileRecord w = wanted.next();
            if (!w.path().equals(g.path())) return "'" + g.path() + "' is in the archive where the manifest lists '" + w.path() + "'";
            if (w.size() != g.size()) return "'" + g.path() + "' is " + g.size() + " bytes, the manifest says " + w.size();
            if (!w.sha256().equals(g.sha256())) return "'" + g.path() + "' SHA-256 differs from the manifest";
            if (w.attributes() != null && !w.attributes().equals(g.attributes())) {
                return "'" + g.path() + "' tar header mode, mtime or owner differs from the manifest";
            }
        }
        if (wanted.hasNext()) return "'" + wanted.next().path() + "' is in the manifest but missing from the archive";
        return null;
    }

    /** (e): the in-tar manifest.json, last, equal to the sidecar's. */
    private static String inTarProblem(Manifest sidecar, Seen seen) {
        if (seen.inTarProblem != null) return seen.inTarProblem;
        if (seen.inTar == null) return "no manifest.json entry in the archive";
        boolean same = Arrays.equals(ManifestJson.canonicalSha256(seen.inTar, ManifestJson.Form.IN_TAR),
                ManifestJson.canonicalSha256(sidecar, ManifestJson.Form.IN_TAR));
        return same ? null : "manifest.json in the archive differs from the sidecar manifest";
    }

    /** The visitor: hashes each entry into the seen list, parses the in-tar manifest, remembers the first problem of each kind. */
    private final class EntryCheck implements ArchiveReader.EntryVisitor {
        private final Seen seen;
        private final ArchiveReader.EntryVisitor extractor;
        private final byte[] buffer = new byte[64 * 1024];

        EntryCheck(Seen seen, ArchiveReader.EntryVisitor extractor) {
            this.seen = seen;
            this.extractor = extractor;
        }

        @Override
        public void visit(ArchiveReader.Entry entry, InputStream content) throws IOException {
            if (seen.inTar != null || seen.inTarProblem != null) {
                inTarProblem("manifest.json is not the last entry ('" + entry.name() + "' follows it)");
            }
            if (entry.type() == ArchiveReader.EntryType.DIRECTORY) { // holds no data, lists nothing
                extract(entry, InputStream.nullInputStream());
                return;
            }
            if (entry.name().equals(EntryNames.MANIFEST)) {
                extract(entry, InputStream.nullInputStream()); // its content is the verifier's
                readInTarManifest(content);
                return;
            }
            HashingInputStream hashed = new HashingInputStream(content);
            extract(entry, hashed);
            hashed.drain(buffer); // what the extractor did not read (an entry it does not want) is hashed too
            EntryAttributes header;
            try {
                header = entry.attributes();
            } catch (IllegalArgumentException e) { // an id beyond 32 bits, say: no file of ours has that
                header = null;
                if (seen.fileProblem == null) seen.fileProblem = "'" + entry.name() + "' tar header: " + e.getMessage();
            }
            try {
                seen.entries.add(new FileRecord(entry.name(), hashed.count(), hashed.sha256Hex(), header));
            } catch (IllegalArgumentException repeated) {
                if (seen.fileProblem == null) seen.fileProblem = "'" + entry.name() + "' appears twice in the archive";
            }
        }

        /** Parses manifest.json as it streams; a failure of the stream under it is the archive's, not the manifest's. */
        private void readInTarManifest(InputStream content) throws IOException {
            Noting source = new Noting(content);
            try {
                Manifest m = ManifestJson.parse(source, spillDir);
                if (seen.inTar != null) seen.inTar.close();
                seen.inTar = m;
            } catch (ArchiveException e) {
                if (source.failure != null) throw source.failure;
                inTarProblem("manifest.json in the archive is not valid manifest JSON: " + e.getMessage());
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            source.transferTo(java.io.OutputStream.nullOutputStream());
        }

        /** Hands the entry to the extractor; its failure ends the pass (see {@link ExtractorFailure}). */
        private void extract(ArchiveReader.Entry entry, InputStream content) throws ExtractorFailure {
            if (extractor == null) return;
            try {
                extractor.visit(entry, content);
            } catch (IOException | RuntimeException e) {
                throw new ExtractorFailure(e);
            }
        }

        private void inTarProblem(String problem) {
            if (seen.inTarProblem == null) seen.inTarProblem = problem;
        }
    }

    /** Remembers the I/O failure of the stream it reads. */
    private static final class Noting extends FilterInputStream {
        IOException failure;

        Noting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** Carries the extractor's exception out of the reader untouched: it is not a verdict on the archive. */
    private static final class ExtractorFailure extends IOException {
        ExtractorFailure(Exception cause) {
            super(cause);
        }
    }
}
