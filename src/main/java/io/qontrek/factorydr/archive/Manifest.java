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
 *
 * <p>Two members come after the contract's first version and are absent (null) in manifests written
 * before them, so that those still parse and verify byte for byte: {@code databases}, what a full or
 * an incremental holds of each SQLite database and the heads it builds on and reaches
 * ({@link Database}); and {@code tripwires}, one line per sign of a shrinking runtime seen while the
 * backup was taken.
 */
public record Manifest(
        String backupId,
        Type type,
        Instant createdAt,
        String base,
        FileList files,
        ProofHead proofHead,
        LedgerHead ledgerHead,
        List<Database> databases,
        List<String> redacted,
        List<String> skipped,
        List<String> tripwires,
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

    /**
     * A table's head: its highest rowid, its row count, and the SHA-256 of its row at that rowid
     * (of its columns in table order, each as SQLite's {@code quote()} renders it, joined by ','), null when
     * the table is empty. An incremental takes the rows above its base's
     * rowid; the count and the row hash show a table changed below that head (rows removed or rewritten).
     */
    public record TableHead(long rowid, long rows, String lastRowSha256) {
        public TableHead {
            if (rowid < 0 || rows < 0) throw new IllegalArgumentException("table head with a negative rowid or count");
            if ((rows == 0) != (lastRowSha256 == null)) throw new IllegalArgumentException("last_row_sha256 must be null exactly when rows is 0");
            if (lastRowSha256 != null && !Hex.isHash(lastRowSha256)) throw new IllegalArgumentException("last_row_sha256 is not 64 lowercase hex");
        }

        /** The head of an empty table. */
        public static final TableHead EMPTY = new TableHead(0, 0, null);
    }

    /**
     * What the archive holds of one database (name: federation_ledger, nonce_store, receipts): the
     * whole snapshot {@code data/<name>.db}, or the rows added since {@code base} as
     * {@code data/<name>.delta.db} (runtime contract, "Archives"). {@code rows} counts the rows in the
     * archived file; {@code why} says why an incremental took a database whole, else null.
     */
    public record Database(String name, Form form, String path, long rows, TableHead base, TableHead head, String why) {
        /** How a database travels; the wire names are the manifest's. */
        public enum Form {
            WHOLE("whole", ".db"), DELTA("delta", ".delta.db");

            private final String wire;
            private final String suffix;

            Form(String wire, String suffix) {
                this.wire = wire;
                this.suffix = suffix;
            }

            public String wire() {
                return wire;
            }

            public static Form fromWire(String wire) {
                for (Form f : values()) if (f.wire.equals(wire)) return f;
                throw new IllegalArgumentException("database form '" + wire + "' is not whole or delta");
            }
        }

        public Database {
            if (name == null || !name.matches("[a-z][a-z_]*")) throw new IllegalArgumentException("database name '" + name + "' is not a plain name");
            Objects.requireNonNull(form, "form");
            if (!("data/" + name + form.suffix).equals(path)) {
                throw new IllegalArgumentException("database " + name + " as " + form.wire + " must be at data/" + name + form.suffix + ", not " + path);
            }
            if (rows < 0) throw new IllegalArgumentException("database " + name + ": rows is negative");
            if (form == Form.DELTA && base == null) throw new IllegalArgumentException("database " + name + ": a delta needs its base head");
            Objects.requireNonNull(head, "head");
        }

        /** The archive path of a database travelling in this form. */
        public static String path(String name, Form form) {
            return "data/" + name + form.suffix;
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
        if (databases != null) databases = List.copyOf(databases);
        redacted = List.copyOf(redacted);
        skipped = List.copyOf(skipped);
        if (tripwires != null) tripwires = List.copyOf(tripwires);
        if (signature != null && !Hex.isHash(signature)) throw new IllegalArgumentException("signature is not 64 lowercase hex");
    }

    /** A manifest without databases or tripwires (archives of proofs or alerts, and tests). */
    public Manifest(String backupId, Type type, Instant createdAt, String base, FileList files, ProofHead proofHead,
            LedgerHead ledgerHead, List<String> redacted, List<String> skipped, ArchiveRef archive, String signature) {
        this(backupId, type, createdAt, base, files, proofHead, ledgerHead, null, redacted, skipped, null, archive, signature);
    }

    /** A manifest before its archive is written: no archive reference, no signature. */
    public static Manifest unsealed(String backupId, Type type, Instant createdAt, String base, FileList files,
            ProofHead proofHead, LedgerHead ledgerHead, List<String> redacted, List<String> skipped) {
        return new Manifest(backupId, type, createdAt, base, files, proofHead, ledgerHead, redacted, skipped, null, null);
    }

    /** The same manifest describing the finished archive file; any signature is dropped (it no longer covers it). */
    public Manifest withArchive(String name, long size, String sha256) {
        return new Manifest(backupId, type, createdAt, base, files, proofHead, ledgerHead, databases, redacted, skipped,
                tripwires, new ArchiveRef(name, size, sha256), null);
    }

    public Manifest withSignature(String signature) {
        return new Manifest(backupId, type, createdAt, base, files, proofHead, ledgerHead, databases, redacted, skipped,
                tripwires, archive, signature);
    }

    /** The same manifest naming these databases (null: none); any signature is dropped. */
    public Manifest withDatabases(List<Database> databases) {
        return new Manifest(backupId, type, createdAt, base, files, proofHead, ledgerHead, databases, redacted, skipped,
                tripwires, archive, null);
    }

    /** The same manifest naming these tripwires (null: none recorded); any signature is dropped. */
    public Manifest withTripwires(List<String> tripwires) {
        return new Manifest(backupId, type, createdAt, base, files, proofHead, ledgerHead, databases, redacted, skipped,
                tripwires, archive, null);
    }

    /** The database of that name the archive holds, if it names one. */
    public java.util.Optional<Database> database(String name) {
        if (databases == null) return java.util.Optional.empty();
        return databases.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** A small manifest from records in memory (tests, tools). */
    public static Manifest unsealed(String backupId, Type type, Instant createdAt, String base, List<FileRecord> files,
            ProofHead proofHead, LedgerHead ledgerHead, List<String> redacted, List<String> skipped) {
        return unsealed(backupId, type, createdAt, base, FileList.of(files), proofHead, ledgerHead, redacted, skipped);
    }

    /** The same manifest with other files (the caller owns both lists). */
    public Manifest withFiles(FileList other) {
        return new Manifest(backupId, type, createdAt, base, other, proofHead, ledgerHead, databases, redacted, skipped,
                tripwires, archive, signature);
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
                && Objects.equals(databases, m.databases) && Objects.equals(tripwires, m.tripwires) && redacted.equals(m.redacted) && skipped.equals(m.skipped) && Objects.equals(archive, m.archive)
                && Objects.equals(signature, m.signature) && files.sameRecords(m.files);
    }

    @Override
    public int hashCode() {
        return Objects.hash(backupId, type, createdAt, base, files.count(), proofHead, ledgerHead, archive, signature);
    }
}
