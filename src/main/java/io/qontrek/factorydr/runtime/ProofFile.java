package io.qontrek.factorydr.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One proof file, {@code proof/proof-<seq, 12 digits>.json}, schema {@code factory.proof.v1}.
 *
 * <p>Reading checks the shape (fields, types, hex, UTC times), not the meaning: a proof whose root
 * does not recompute or whose receipt does not verify still reads, so that a verifier can report
 * the break instead of stopping at the first file it cannot parse.
 */
public record ProofFile(
        String schema,
        long seq,
        String proofId,
        String createdAt,
        List<String> leaves,
        String merkleRoot,
        String prevRoot,
        TowerReceipt towerReceipt) {

    public static final String SCHEMA = "factory.proof.v1";

    private static final Set<String> FIELDS = Set.of(
            "schema", "seq", "proof_id", "created_at", "leaves", "merkle_root", "prev_root", "tower_receipt");
    private static final Set<String> RECEIPT_FIELDS = Set.of("issued_at", "signature");

    /** The Tower's receipt: when it was issued and its HMAC signature (see {@link TowerReceipts}). */
    public record TowerReceipt(String issuedAt, String signature) {
        public TowerReceipt {
            Objects.requireNonNull(issuedAt, "issuedAt");
            Objects.requireNonNull(signature, "signature");
        }
    }

    public ProofFile {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(proofId, "proofId");
        Objects.requireNonNull(createdAt, "createdAt");
        leaves = List.copyOf(leaves);
        Objects.requireNonNull(merkleRoot, "merkleRoot");
        Objects.requireNonNull(prevRoot, "prevRoot");
        Objects.requireNonNull(towerReceipt, "towerReceipt");
    }

    public static ProofFile read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    public static ProofFile parse(byte[] json) throws MalformedFileException {
        return parse(json, "proof JSON");
    }

    /** Parses a proof file; {@code source} names it in error messages (usually its path). */
    public static ProofFile parse(byte[] json, String source) throws MalformedFileException {
        JsonFields f = RuntimeJson.readObject(json, source).only(FIELDS);
        f.constant("schema", SCHEMA);
        JsonFields receipt = f.object("tower_receipt").only(RECEIPT_FIELDS);
        return new ProofFile(
                SCHEMA,
                f.seq("seq"),
                f.nonEmptyText("proof_id"),
                f.instant("created_at"),
                f.hashes("leaves"),
                f.hash("merkle_root"),
                f.hash("prev_root"),
                new TowerReceipt(receipt.instant("issued_at"), receipt.hash("signature")));
    }

    /** The contract's JSON, keys in the contract's order, so equal proofs are equal bytes. */
    public byte[] toJson() {
        return RuntimeJson.write(g -> {
            g.writeStartObject();
            g.writeStringField("schema", schema);
            g.writeNumberField("seq", seq);
            g.writeStringField("proof_id", proofId);
            g.writeStringField("created_at", createdAt);
            g.writeArrayFieldStart("leaves");
            for (String leaf : leaves) {
                g.writeString(leaf);
            }
            g.writeEndArray();
            g.writeStringField("merkle_root", merkleRoot);
            g.writeStringField("prev_root", prevRoot);
            g.writeObjectFieldStart("tower_receipt");
            g.writeStringField("issued_at", towerReceipt.issuedAt());
            g.writeStringField("signature", towerReceipt.signature());
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** The RFC 6962 root of this proof's leaves, to compare with {@link #merkleRoot()}. */
    public String computedRoot() {
        return MerkleTree.rootHex(leaves);
    }

    /** {@code proof-<seq, 12 digits>.json}. */
    public static String fileName(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("proof seq must be >= 0, was " + seq);
        }
        return String.format("proof-%012d.json", seq);
    }

    /** The seq a proof file name carries, or empty when the name is not exactly {@link #fileName(long)}'s. */
    public static OptionalLong seqOfFileName(String name) {
        // proof-(\d{12,18})\.json, and more than 12 digits only without a leading zero; no regex and no
        // String.format, since this runs once per file of a directory of maybe millions
        int n = name.length();
        if (n < 23 || n > 29 || !name.startsWith("proof-") || !name.endsWith(".json")) {
            return OptionalLong.empty();
        }
        if (n - 11 > 12 && name.charAt(6) == '0') {
            return OptionalLong.empty();
        }
        long seq = 0;
        for (int i = 6; i < n - 5; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return OptionalLong.empty();
            seq = seq * 10 + (c - '0');
        }
        return OptionalLong.of(seq);
    }

    /** The proof id the runtime gives a seq: {@code p-<seq, 12 digits>}. */
    public static String proofId(long seq) {
        return String.format("p-%012d", seq);
    }
}
