package io.qontrek.factorydr.archive;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Proves an archive file is whole, ours and restorable, in one streaming pass over it. The checks, and
 * the order in which the first failure is reported (one line naming it):
 * <ol type="a">
 *   <li>{@code X.sha256} exists, is one sha256sum line naming X, and matches X's SHA-256;</li>
 *   <li>{@code X.manifest.json} parses, its signature verifies, its archive name/size/sha256 are X's;</li>
 *   <li>X decrypts (padding included), its gzip stream is intact, its tar is intact;</li>
 *   <li>every tar entry's size and SHA-256 equal the manifest's, no file missing or extra;</li>
 *   <li>the last entry is {@code manifest.json} and equals the sidecar manifest without archive and
 *       signature (compared as RFC 8785 canonical JSON, so either pretty or canonical form passes).</li>
 * </ol>
 * Later checks are still computed during the pass, but an earlier failure is the one reported.
 *
 * <p>A restore verifies and extracts in that one pass ({@link #verify(Path, byte[], byte[],
 * ArchiveReader.EntryVisitor)}): each entry goes to the extractor while it is being hashed, so the
 * archive is read once. What the extractor wrote is trustworthy only if the call returns normally;
 * on any failure the caller discards it.
 */
public final class ArchiveVerifier {
    /** Bounds the in-tar manifest held in memory; 64 MiB lists several hundred thousand files. */
    static final int MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** What was verified: the manifest's file count and their total bytes, the archive file's size, the manifest. */
    public record VerifyResult(String backupId, int files, long bytes, long archiveSize, String archiveSha256, Manifest manifest) {}

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
     * exception is rethrown.
     */
    public VerifyResult verify(Path archiveFile, byte[] password, byte[] signingSecret, ArchiveReader.EntryVisitor extractor)
            throws IOException {
        String x = archiveFile.getFileName().toString();
        if (!Files.isRegularFile(archiveFile)) throw new ArchiveException(x + ": archive file missing");

        String sidecarSha = Sidecars.readSha256(archiveFile); // (a) format; the match waits for the pass

        Manifest manifest = null;
        ArchiveException manifestProblem = null; // (b), reported after (a)
        try {
            manifest = Sidecars.readManifest(archiveFile);
            if (!ManifestSignature.verify(manifest, signingSecret)) {
                throw new ArchiveException(Sidecars.manifestPath(archiveFile).getFileName() + ": signature does not verify");
            }
            String name = manifest.archive().name();
            if (!name.equals(x) && !name.endsWith("/" + x)) {
                throw new ArchiveException(Sidecars.manifestPath(archiveFile).getFileName() + ": archive.name '" + name + "' is not " + x);
            }
        } catch (ArchiveException e) {
            manifestProblem = e;
        }

        long size;
        String sha256;
        EntryCheck entries = manifestProblem == null ? new EntryCheck(manifest, extractor) : null;
        ArchiveException streamProblem = null; // (c)
        Exception extractorProblem = null; // reported after (a)-(c): a corrupt archive is the real cause
        try (HashingInputStream file = new HashingInputStream(Files.newInputStream(archiveFile))) {
            if (entries != null) {
                try {
                    ArchiveReader.read(file, password, entries);
                } catch (ArchiveException e) {
                    streamProblem = e;
                } catch (ExtractorFailure e) {
                    extractorProblem = (Exception) e.getCause();
                }
            }
            file.drain(); // whatever the reader did not need still counts for (a)
            size = file.count();
            sha256 = file.sha256Hex();
        } catch (NoSuchFileException e) {
            throw new ArchiveException(x + ": archive file missing");
        } catch (IOException e) {
            throw new ArchiveException(x + ": cannot read: " + e.getMessage(), e);
        }

        if (!sha256.equals(sidecarSha)) {
            ArchiveException mismatch = new ArchiveException(x + ": SHA-256 does not match " + x + ".sha256");
            if (extractorProblem != null) mismatch.addSuppressed(extractorProblem);
            throw mismatch;
        }
        if (manifestProblem != null) throw manifestProblem;
        String sidecar = Sidecars.manifestPath(archiveFile).getFileName().toString();
        if (manifest.archive().size() != size) {
            throw new ArchiveException(sidecar + ": archive.size " + manifest.archive().size() + " but " + x + " is " + size + " bytes");
        }
        if (!manifest.archive().sha256().equals(sha256)) throw new ArchiveException(sidecar + ": archive.sha256 does not match " + x);
        if (streamProblem != null) throw new ArchiveException(x + ": " + streamProblem.getMessage(), streamProblem);
        if (extractorProblem instanceof IOException e) throw e;
        if (extractorProblem instanceof RuntimeException e) throw e;
        String problem = entries.filesProblem();
        if (problem == null) problem = entries.manifestEntryProblem();
        if (problem != null) throw new ArchiveException(x + ": " + problem);
        return new VerifyResult(manifest.backupId(), manifest.files().size(), entries.bytes, size, sha256, manifest);
    }

    /** The visitor: hashes each entry against the manifest, remembering the first problem of each kind. */
    private static final class EntryCheck implements ArchiveReader.EntryVisitor {
        private final Manifest manifest;
        private final ArchiveReader.EntryVisitor extractor;
        private final Map<String, FileRecord> expected = new LinkedHashMap<>();
        private final Set<String> seen = new HashSet<>();
        private final byte[] buffer = new byte[64 * 1024];
            private String firstFileProblem;
        private String firstManifestProblem;
        private byte[] tarManifest;
        private long bytes;

        EntryCheck(Manifest manifest, ArchiveReader.EntryVisitor extractor) {
            this.manifest = manifest;
            this.extractor = extractor;
            for (FileRecord f : manifest.files()) expected.put(f.path(), f);
        }

        @Override
        public void visit(ArchiveReader.Entry entry, InputStream content) throws IOException {
            if (tarManifest != null) manifestProblem("manifest.json is not the last entry ('" + entry.name() + "' follows it)");
            if (entry.type() == ArchiveReader.EntryType.DIRECTORY) { // holds no data, lists nothing
                extract(entry, InputStream.nullInputStream());
                return;
            }
            if (entry.name().equals(EntryNames.MANIFEST)) {
                if (entry.size() > MAX_MANIFEST_BYTES) {
                    manifestProblem("manifest.json is " + entry.size() + " bytes, over the " + MAX_MANIFEST_BYTES + " limit");
                    tarManifest = new byte[0];
                    return;
                }
                tarManifest = content.readNBytes((int) entry.size());
                extract(entry, new ByteArrayInputStream(tarManifest));
                return;
            }
            HashingInputStream hashed = new HashingInputStream(content);
            extract(entry, hashed);
            hashed.drain(buffer); // what the extractor did not read (an entry it does not want) is hashed too
            long size = hashed.count();
            String sha256 = hashed.sha256Hex();
            FileRecord want = expected.get(entry.name());
            if (want == null) {
                fileProblem("'" + entry.name() + "' is in the archive but not in the manifest");
            } else if (!seen.add(entry.name())) {
                fileProblem("'" + entry.name() + "' appears twice in the archive");
            } else if (want.size() != size) {
                fileProblem("'" + entry.name() + "' is " + size + " bytes, the manifest says " + want.size());
            } else if (!want.sha256().equals(sha256)) {
                fileProblem("'" + entry.name() + "' SHA-256 differs from the manifest");
            } else {
                bytes += size;
            }
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

        String filesProblem() {
            if (firstFileProblem != null) return firstFileProblem;
            for (String path : expected.keySet()) {
                if (!seen.contains(path)) return "'" + path + "' is in the manifest but missing from the archive";
            }
            return null;
        }

        String manifestEntryProblem() {
            if (firstManifestProblem != null) return firstManifestProblem;
            if (tarManifest == null) return "no manifest.json entry in the archive";
            // compared by the SHA-256 of each canonical form, one tree in memory at a time
            byte[] want = CanonicalJson.sha256(manifest.toJson(false));
            try {
                JsonNode got = JSON.readTree(tarManifest);
                if (got == null || !Arrays.equals(CanonicalJson.sha256(got), want)) {
                    return "manifest.json in the archive differs from the sidecar manifest";
                }
            } catch (IOException | IllegalArgumentException e) {
                return "manifest.json in the archive is not valid manifest JSON: " + e.getMessage();
            }
            return null;
        }

        private void fileProblem(String problem) {
            if (firstFileProblem == null) firstFileProblem = problem;
        }

        private void manifestProblem(String problem) {
            if (firstManifestProblem == null) firstManifestProblem = problem;
        }
    }

    /** Carries the extractor's exception out of the reader untouched: it is not a verdict on the archive. */
    private static final class ExtractorFailure extends IOException {
        ExtractorFailure(Exception cause) {
            super(cause);
        }
    }
}
