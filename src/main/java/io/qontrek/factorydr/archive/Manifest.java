package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hex;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The backup manifest of the runtime contract ({@code factory.manifest.v1}), with exactly its snake_case
 * keys. It is written twice: as the last tar entry {@code manifest.json} (without {@code archive} and
 * {@code signature}, which cannot be known inside the archive) and as the signed sidecar
 * {@code X.manifest.json}.
 *
 * <p>Its files are a {@link FileList}, off the heap, so a manifest costs the same whatever the
 * archive holds; {@link ManifestJson} writes and parses both JSON forms as streams. The manifest owns
 * its list: {@link #close} frees it ({@code with...} copies share it).
 */
public record Manifest(
        String backupId,
        Type type,
        Instant createdAt,
        String base,
        FileList files,
        ProofHead proofHead,
        LedgerHead ledgerHead,
        List<String> redacted,
        List<String> skipped,
        ArchiveRef archive,
        String signature) implements AutoCloseable {

    public static final String SCHEMA = "factory.manifest.v1";

    /** What the archive holds; the wire names are the contract's. */
    public enum Type {
        FULL("full"), INCREMENTAL("incremental"), PROOF_DAILY("proof-daily"), ALERTS("alerts");

        private final String wire;

        Type(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Type fromWire(String wire) {
            for (Type t : values()) if (t.wire.equals(wire)) return t;
            throw new IllegalArgumentException("type '" + wire + "' is not one of full, incremental, proof-daily, alerts");
        }
    }

    /** The last proof in the archive. */
    public record ProofHead(long seq, String merkleRoot) {
        public ProofHead {
            if (seq < 0) throw new IllegalArgumentException("proof_head.seq is negative: " + seq);
            if (!Hex.isHash(merkleRoot)) throw new IllegalArgumentException("proof_head.merkle_root is not 64 lowercase hex");
        }
    }

    /** The last federation ledger entry in the archive. */
    public record LedgerHead(long seq, String entryHash) {
        public LedgerHead {
            if (seq < 0) throw new IllegalArgumentException("ledger_head.seq is negative: " + seq);
            if (!Hex.isHash(entryHash)) throw new IllegalArgumentException("ledger_head.entry_hash is not 64 lowercase hex");
        }
    }

    /** The encrypted archive file: its key relative to the archive directory, size and SHA-256. */
    public record ArchiveRef(String name, long size, String sha256) {
        public ArchiveRef {
            String problem = EntryNames.problem(name);
            if (problem != null) throw new IllegalArgumentException("archive.name '" + name + "': " + problem);
            if (size < 0) throw new IllegalArgumentException("archive.size is negative: " + size);
            if (!Hex.isHash(sha256)) throw new IllegalArgumentException("archive.sha256 is not 64 lowercase hex");
        }
    }

    public Manifest {
        if (backupId == null || backupId.isBlank()) throw new IllegalArgumentException("backup_id is empty");
        if (type == null) throw new IllegalArgumentException("type is missing");
        if (createdAt == null) throw new IllegalArgumentException("created_at is missing");
        Objects.requireNonNull(files, "files");
        redacted = List.copyOf(redacted);
        skipped = List.copyOf(skipped);
        if (signature != null && !Hex.isHash(signature)) throw new IllegalArgumentException("signature is not 64 lowercase hex");
    }

    /** A manifest before its archive is written: no archive reference, no signature. */
    public static Manifest unsealed(String backupId, Type type, Instant createdAt, String base, FileList files,
            ProofHead proofHead, LedgerHead ledgerHead, List<String> redacted, List<String> skipped) {
        return new Manifest(backupId, type, createdAt, base, files, proofHead, ledgerHead, redacted, skipped, null, null);
    }

    /** The same manifest describing the finished archive file; any signature is dropped (it no longer covers it). */
    public Manifest withArchive(String name, long size, String sha256) {
        return new Manifest(backupId, type, createdAt, base, files, proofHead, ledgerHead, redacted, skipped,
                new ArchiveRef(name, size, sha256), null);
    }

    public Manifest withSignature(String signature) {
        return new Manifest(backupId, type, createdAt, base, files, proofHead, ledgerHead, redacted, skipped, archive, signature);
    }

    /** A small manifest from records in memory (tests, tools). */
    public static Manifest unsealed(String backupId, Type type, Instant createdAt, String base, List<FileRecord> files,
            ProofHead proofHead, LedgerHead ledgerHead, List<String> redacted, List<String> skipped) {
        return unsealed(backupId, type, createdAt, base, FileList.of(files), proofHead, ledgerHead, redacted, skipped);
    }

    /** The same manifest with other files (the caller owns both lists). */
    public Manifest withFiles(FileList other) {
        return new Manifest(backupId, type, createdAt, base, other, proofHead, ledgerHead, redacted, skipped, archive, signature);
    }

    /** The bytes of the in-tar {@code manifest.json} (canonical JSON): for small manifests; big ones stream through {@link ManifestJson}. */
    public byte[] inTarJson() {
        return ManifestJson.canonical(this, ManifestJson.Form.IN_TAR);
    }

    /** The sidecar's bytes (pretty JSON and a newline): for small manifests. */
    public byte[] toPrettyJson() {
        return ManifestJson.pretty(this);
    }

    /** Parses either form held in memory; see {@link ManifestJson#parse(java.io.InputStream, java.nio.file.Path)}. */
    public static Manifest parse(byte[] json) throws ArchiveException {
        return ManifestJson.parse(json);
    }

    /** Frees the file list's spool. */
    @Override
    public void close() {
        files.close();
    }

    /** Equal when every member is and the files are the same records in the same order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && backupId.equals(m.backupId) && type == m.type && createdAt.equals(m.createdAt)
                && Objects.equals(base, m.base) && Objects.equals(proofHead, m.proofHead) && Objects.equals(ledgerHead, m.ledgerHead)
                && redacted.equals(m.redacted) && skipped.equals(m.skipped) && Objects.equals(archive, m.archive)
                && Objects.equals(signature, m.signature) && files.sameRecords(m.files);
    }

    @Override
    public int hashCode() {
        return Objects.hash(backupId, type, createdAt, base, files.count(), proofHead, ledgerHead, archive, signature);
    }
}
