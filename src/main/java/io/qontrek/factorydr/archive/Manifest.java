package io.qontrek.factorydr.archive;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The backup manifest of the runtime contract ({@code factory.manifest.v1}), with exactly its snake_case
 * keys. It is written twice: as the last tar entry {@code manifest.json} (without {@code archive} and
 * {@code signature}, which cannot be known inside the archive) and as the signed sidecar
 * {@code X.manifest.json}.
 *
 * <p>Parsing is strict and lossless (every key required except {@code archive} and {@code signature},
 * unknown or duplicate keys refused, integers only, {@code created_at} in the contract's form), so that
 * {@code parse(json).toJson(true)} is the same JSON that was signed.
 */
public record Manifest(
        String backupId,
        Type type,
        Instant createdAt,
        String base,
        List<FileRecord> files,
        ProofHead proofHead,
        LedgerHead ledgerHead,
        List<String> redacted,
        List<String> skipped,
        ArchiveRef archive,
        String signature) {

    public static final String SCHEMA = "factory.manifest.v1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> KEYS = Set.of("schema", "backup_id", "type", "created_at", "base", "files",
            "proof_head", "ledger_head", "redacted", "skipped", "archive", "signature");

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
        files = List.copyOf(files);
        redacted = List.copyOf(redacted);
        skipped = List.copyOf(skipped);
        Set<String> seen = new HashSet<>();
        for (FileRecord f : files) {
            if (f.path().equals(EntryNames.MANIFEST)) throw new IllegalArgumentException("files lists the reserved name manifest.json");
            if (!seen.add(f.path())) throw new IllegalArgumentException("files lists '" + f.path() + "' twice");
        }
        if (signature != null && !Hex.isHash(signature)) throw new IllegalArgumentException("signature is not 64 lowercase hex");
    }

    /** A manifest before its archive is written: no archive reference, no signature. */
    public static Manifest unsealed(String backupId, Type type, Instant createdAt, String base, List<FileRecord> files,
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

    /**
     * The contract's JSON, keys in the contract's order. With {@code withArchiveAndSignature} false this is
     * the in-tar {@code manifest.json}; with true, the sidecar (absent archive or signature written as null).
     */
    public ObjectNode toJson(boolean withArchiveAndSignature) {
        ObjectNode o = NODES.objectNode();
        o.put("schema", SCHEMA);
        o.put("backup_id", backupId);
        o.put("type", type.wire());
        o.put("created_at", DateTimeFormatter.ISO_INSTANT.format(createdAt));
        o.put("base", base);
        ArrayNode fileArray = o.putArray("files");
        for (FileRecord f : files) {
            fileArray.addObject().put("path", f.path()).put("size", f.size()).put("sha256", f.sha256());
        }
        if (proofHead == null) o.putNull("proof_head");
        else o.putObject("proof_head").put("seq", proofHead.seq()).put("merkle_root", proofHead.merkleRoot());
        if (ledgerHead == null) o.putNull("ledger_head");
        else o.putObject("ledger_head").put("seq", ledgerHead.seq()).put("entry_hash", ledgerHead.entryHash());
        redacted.forEach(o.putArray("redacted")::add);
        skipped.forEach(o.putArray("skipped")::add);
        if (withArchiveAndSignature) {
            if (archive == null) o.putNull("archive");
            else o.putObject("archive").put("name", archive.name()).put("size", archive.size()).put("sha256", archive.sha256());
            o.put("signature", signature);
        }
        return o;
    }

    /**
     * The bytes of the in-tar {@code manifest.json}: RFC 8785 canonical JSON of {@link #toJson toJson(false)}.
     * Canonical so it is byte-for-byte reproducible; the verifier compares canonical forms, so a pretty
     * in-tar manifest written by another tool would pass too.
     */
    public byte[] inTarJson() {
        return CanonicalJson.bytes(toJson(false));
    }

    /** Human-readable JSON with a final newline, as the sidecar {@code X.manifest.json} is written. */
    public byte[] toPrettyJson() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            writePrettyJson(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
        return bytes.toByteArray();
    }

    /**
     * The same, streamed into {@code out} (left open). At 120,000 files the JSON is about 30 MB: as a
     * String, then that String with its newline, then its bytes, it took 150 MB of a 288 MB heap and
     * ran a 3 GB full backup out of memory at its very end.
     */
    public void writePrettyJson(java.io.OutputStream out) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .writeValue(out, toJson(true));
        out.write('\n');
    }

    /** Parses either form (in-tar or sidecar); any violation of the contract fails naming the field. */
    public static Manifest parse(byte[] json) throws ArchiveException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ArchiveException("manifest is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ArchiveException("manifest cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ArchiveException("manifest is not a JSON object");
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new ArchiveException("manifest: " + e.getMessage(), e);
        }
    }

    private static Manifest fromJson(JsonNode root) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) throw new IllegalArgumentException("unknown field '" + key + "'");
        }
        if (!SCHEMA.equals(text(root, "schema"))) throw new IllegalArgumentException("schema is not " + SCHEMA);
        String createdAtText = text(root, "created_at");
        Instant createdAt;
        try {
            createdAt = Instant.parse(createdAtText);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("created_at '" + createdAtText + "' is not an ISO-8601 UTC time");
        }
        if (!DateTimeFormatter.ISO_INSTANT.format(createdAt).equals(createdAtText)) {
            throw new IllegalArgumentException("created_at '" + createdAtText + "' is not in the form 2025-10-23T14:00:00Z");
        }
        List<FileRecord> files = new ArrayList<>();
        for (JsonNode f : array(root, "files")) {
            files.add(new FileRecord(text(f, "path"), integer(f, "size"), text(f, "sha256")));
        }
        JsonNode proof = nullable(root, "proof_head");
        JsonNode ledger = nullable(root, "ledger_head");
        JsonNode archive = root.has("archive") ? nullable(root, "archive") : null;
        JsonNode signature = root.has("signature") ? nullable(root, "signature") : null;
        return new Manifest(
                text(root, "backup_id"),
                Type.fromWire(text(root, "type")),
                createdAt,
                nullable(root, "base") == null ? null : text(root, "base"),
                files,
                proof == null ? null : new ProofHead(integer(proof, "seq"), text(proof, "merkle_root")),
                ledger == null ? null : new LedgerHead(integer(ledger, "seq"), text(ledger, "entry_hash")),
                texts(root, "redacted"),
                texts(root, "skipped"),
                archive == null ? null : new ArchiveRef(text(archive, "name"), integer(archive, "size"), text(archive, "sha256")),
                signature == null ? null : text(root, "signature"));
    }

    private static JsonNode required(JsonNode parent, String key) {
        JsonNode n = parent.get(key);
        if (n == null) throw new IllegalArgumentException("missing field '" + key + "'");
        return n;
    }

    private static JsonNode nullable(JsonNode parent, String key) {
        JsonNode n = required(parent, key);
        return n.isNull() ? null : n;
    }

    private static String text(JsonNode parent, String key) {
        JsonNode n = required(parent, key);
        if (!n.isTextual()) throw new IllegalArgumentException("field '" + key + "' is not a string");
        return n.textValue();
    }

    private static long integer(JsonNode parent, String key) {
        JsonNode n = required(parent, key);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw new IllegalArgumentException("field '" + key + "' is not an integer");
        return n.longValue();
    }

    private static JsonNode array(JsonNode parent, String key) {
        JsonNode n = required(parent, key);
        if (!n.isArray()) throw new IllegalArgumentException("field '" + key + "' is not an array");
        return n;
    }

    private static List<String> texts(JsonNode parent, String key) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array(parent, key)) {
            if (!n.isTextual()) throw new IllegalArgumentException("field '" + key + "' holds a non-string");
            out.add(n.textValue());
        }
        return out;
    }
}
