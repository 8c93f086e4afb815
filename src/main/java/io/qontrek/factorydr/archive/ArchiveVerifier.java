package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Futures;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.FutureTask;

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
    public static final class Sidecar implements AutoCloseable {
        private final String sha256;
        private final Manifest manifest;
        private final ArchiveException manifestProblem;
        private FutureTask<byte[]> inTarForm; // SHA-256 of the manifest's canonical in-tar form

        Sidecar(String sha256, Manifest manifest, ArchiveException manifestProblem) {
            this.sha256 = sha256;
            this.manifest = manifest;
            this.manifestProblem = manifestProblem;
        }

        public String sha256() {
            return sha256;
        }

        public Manifest manifest() {
            return manifest;
        }

        public ArchiveException manifestProblem() {
            return manifestProblem;
        }

        /** Takes the in-tar form's hash on a thread of its own (a verified manifest only), for {@link #judge} to find ready. */
        void startInTarForm() {
            if (manifest == null || inTarForm != null) return;
            inTarForm = inTarFormTask();
            Thread t = new Thread(inTarForm, "manifest-in-tar-form");
            t.setDaemon(true);
            t.start();
        }

        byte[] inTarSha256() throws IOException {
            if (inTarForm == null) {
                inTarForm = inTarFormTask();
                inTarForm.run();
            }
            return Futures.await(inTarForm, "the manifest's in-tar form");
        }

        private FutureTask<byte[]> inTarFormTask() {
            return new FutureTask<>(() -> ManifestJson.canonicalSha256(manifest, ManifestJson.Form.IN_TAR));
        }

        @Override
        public void close() {
            if (manifest == null) return;
            if (inTarForm != null) { // it reads the manifest's lists: they stay open until it is done
                boolean interrupted = false;
                while (!inTarForm.isDone()) {
                    try {
                        inTarForm.get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (Exception failed) {
                        break; // its failure is judge's to report, and nobody asked
                    }
                }
                if (interrupted) Thread.currentThread().interrupt();
            }
            manifest.close();
        }
    }

    /** What one pass over an archive's bytes saw. Close it to free its lists. */
    public static final class Seen implements AutoCloseable {
        private final FileList.Builder entries;
        private FileList files;
        private FileChannel inTar; // the in-tar manifest.json's bytes, as read, in an unlinked scratch file
        private byte[] inTarSha256;
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
            closeInTar();
        }

        private void closeInTar() {
            if (inTar == null) return;
            try {
                inTar.close();
            } catch (IOException ignored) {
                // an unlinked scratch file: closing frees it, there is nothing to keep
            }
            inTar = null;
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
             Seen seen = startedRead(sidecar, file, sidecar.manifestProblem() == null ? password : null, extractor)) {
            VerifyResult result = judge(archiveFile, sidecar, seen);
            ok = true;
            return result;
        } catch (NoSuchFileException e) {
            throw new ArchiveException(x + ": archive file missing");
        } finally {
            if (!ok) sidecar.close();
        }
    }

    /** The pass, with the sidecar's in-tar form hashed on another core meanwhile (it was a second on the critical path). */
    private Seen startedRead(Sidecar sidecar, InputStream file, byte[] password, ArchiveReader.EntryVisitor extractor) throws IOException {
        sidecar.startInTarForm();
        return read(file, password, extractor);
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
        if (problem == null) problem = inTarProblem(sidecar, seen);
        if (problem != null) throw new ArchiveException(x + ": " + problem);
        return new VerifyResult(manifest.backupId(), manifest.files().count(), seen.files.contentBytes(), seen.size, seen.sha256, manifest);
    }

    /** (d): the entries seen against the manifest's files, record by record; equal encodings are equal records. */
    private static String filesProblem(FileList want, FileList got) {
        Iterator<byte[]> wanted = want.encoded();
        for (Iterator<byte[]> seen = got.encoded(); seen.hasNext(); ) {
            byte[] encoded = seen.next();
            if (!wanted.hasNext()) return "'" + FileList.decode(encoded).path() + "' is in the archive but not in the manifest";
            byte[] wantedEncoded = wanted.next();
            if (Arrays.equals(encoded, wantedEncoded)) continue;
            FileRecord g = FileList.decode(encoded);
            FileRecord w = FileList.decode(wantedEncoded);
            if (!w.path().equals(g.path())) return "'" + g.path() + "' is in the archive where the manifest lists '" + w.path() + "'";
            if (w.size() != g.size()) return "'" + g.path() + "' is " + g.size() + " bytes, the manifest says " + w.size();
            if (!w.sha256().equals(g.sha256())) return "'" + g.path() + "' SHA-256 differs from the manifest";
            if (w.attributes() != null && !w.attributes().equals(g.attributes())) {
                return "'" + g.path() + "' tar header mode, mtime or owner differs from the manifest";
            }
        }
        if (wanted.hasNext()) return "'" + FileList.decode(wanted.next()).path() + "' is in the manifest but missing from the archive";
        return null;
    }

    /**
     * (e): the in-tar manifest.json, last, equal to the sidecar's as canonical JSON. A backup writes it
     * in canonical form, so its bytes hashing to the sidecar's canonical form prove it equal; any other
     * form (pretty, from an older version) or a difference is parsed and compared canonically.
     */
    private String inTarProblem(Sidecar sidecar, Seen seen) throws IOException {
        if (seen.inTarProblem != null) return seen.inTarProblem;
        if (seen.inTar == null) return "no manifest.json entry in the archive";
        byte[] want = sidecar.inTarSha256();
        if (Arrays.equals(seen.inTarSha256, want)) return null;
        seen.inTar.position(0);
        try (Manifest inTar = ManifestJson.parse(Channels.newInputStream(seen.inTar), spillDir)) {
            return Arrays.equals(ManifestJson.canonicalSha256(inTar, ManifestJson.Form.IN_TAR), want) ? null
                    : "manifest.json in the archive differs from the sidecar manifest";
        } catch (ArchiveException e) {
            return "manifest.json in the archive is not valid manifest JSON: " + e.getMessage();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
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
                keepInTarManifest(content);
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

        /**
         * Keeps manifest.json's bytes and their SHA-256 for {@link #judge}; parsed there only if they are
         * not the canonical form. A copy this machine cannot write (a full disk) ends the pass as an
         * extractor's failure does: the rest is still hashed, and a damaged archive is reported first.
         */
        private void keepInTarManifest(InputStream content) throws IOException {
            seen.closeInTar();
            Path where = Spool.scratchDirectory(spillDir);
            OutputStream out;
            try {
                seen.inTar = Spool.openUnlinked(spillDir, ".in-tar-manifest-");
                out = Channels.newOutputStream(seen.inTar);
            } catch (IOException e) {
                throw new ExtractorFailure(scratchProblem(where, e));
            }
            MessageDigest sha = Hashes.sha256();
            for (int n; (n = content.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, n);
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw new ExtractorFailure(scratchProblem(where, e));
                }
            }
            seen.inTarSha256 = sha.digest();
        }

        private static IOException scratchProblem(Path where, IOException e) {
            return new IOException("cannot keep the archive's manifest.json in " + where + ": " + e.getMessage(), e);
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

    /** Carries the extractor's exception (or the scratch copy's) out of the reader untouched: it is not a verdict on the archive. */
    private static final class ExtractorFailure extends IOException {
        ExtractorFailure(Exception cause) {
            super(cause);
        }
    }
}
