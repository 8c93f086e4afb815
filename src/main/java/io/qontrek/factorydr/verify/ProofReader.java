package io.qontrek.factorydr.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import io.qontrek.factorydr.runtime.MalformedFileException;
import io.qontrek.factorydr.runtime.ProofFile;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Reads proof files one after another with a reused buffer, one Jackson streaming parser per file
 * and one reused SHA-256: leaves are decoded from their hex and hashed as they are parsed (RFC 6962
 * leaf hashes), then folded into the root in place, so a proof allocates a few short strings and
 * no tree. Not thread-safe: one reader per thread.
 *
 * <p>The shape is checked as strictly as {@link ProofFile#parse}: the schema, exactly the contract's
 * fields (no missing, extra or duplicate ones), their types, lowercase 64-hex hashes, UTC times
 * with a Z, nothing after the object. A file that breaks it is a {@link MalformedFileException} of
 * one line naming the file and the field; a wrong root or signature still reads, for the verifier
 * to report.
 */
final class ProofReader {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    private static final int SCHEMA = 1, SEQ = 2, PROOF_ID = 4, CREATED_AT = 8, LEAVES = 16, MERKLE_ROOT = 32,
            PREV_ROOT = 64, TOWER_RECEIPT = 128, ALL = 255;

    private final boolean computeRoots;
    private final MessageDigest sha256 = Hashes.sha256();
    private final byte[] leaf = new byte[32];
    private byte[] buffer = new byte[16 * 1024];
    private byte[][] hashes = new byte[64][32];
    private long bytesRead;

    /** {@code computeRoots}: hash the leaves into {@link ProofRecord#computedRoot()}; false leaves it null. */
    ProofReader(boolean computeRoots) {
        this.computeRoots = computeRoots;
    }

    /** Bytes of proof files read so far. */
    long bytesRead() {
        return bytesRead;
    }

    /** Reads one proof file; {@code shown} names it in problems (its name relative to the proof directory). */
    ProofRecord read(Path file, String shown) throws IOException {
        int length = readFully(file);
        return parse(buffer, length, shown);
    }

    /** Parses (and hashes) a proof file already read: {@code data[0..length)} is its whole content. */
    ProofRecord parse(byte[] data, int length, String shown) throws IOException {
        try (JsonParser p = JSON.createParser(data, 0, length)) {
            return parse(p, shown);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new MalformedFileException(shown, "not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        }
    }

    private int readFully(Path file) throws IOException {
        int length = readInto(file);
        bytesRead += length;
        return length;
    }

    /**
     * Reads a whole file into this reader's buffer (grown as needed) and returns its length; the
     * content stays in {@link #buffer()} until the next read. Reading only: nothing is counted.
     */
    int readInto(Path file) throws IOException {
        try (InputStream in = new FileInputStream(file.toFile())) {
            int length = 0;
            while (true) {
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                int r = in.read(buffer, length, buffer.length - length);
                if (r < 0) {
                    return length;
                }
                length += r;
            }
        }
    }

    /** The buffer the last {@link #readInto} filled. */
    byte[] buffer() {
        return buffer;
    }

    private ProofRecord parse(JsonParser p, String shown) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new MalformedFileException(shown, p.currentToken() == null ? "empty file, expected a JSON object"
                    : "expected a JSON object, found " + p.currentToken());
        }
        int seen = 0;
        long seq = -1;
        String proofId = null, createdAt = null, merkleRoot = null, prevRoot = null;
        String[] receipt = null;
        int leafCount = 0;
        String computed = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "schema" -> {
                    seen |= SCHEMA;
                    String s = text(p, value, shown, field);
                    if (!ProofFile.SCHEMA.equals(s)) {
                        throw fail(shown, field, "expected \"" + ProofFile.SCHEMA + "\", found " + quoted(s));
                    }
                }
                case "seq" -> {
                    seen |= SEQ;
                    seq = seq(p, value, shown);
                }
                case "proof_id" -> {
                    seen |= PROOF_ID;
                    proofId = text(p, value, shown, field);
                    if (proofId.isBlank()) throw fail(shown, field, "is empty");
                }
                case "created_at" -> {
                    seen |= CREATED_AT;
                    createdAt = instant(p, value, shown, field);
                }
                case "leaves" -> {
                    seen |= LEAVES;
                    leafCount = leaves(p, value, shown);
                    computed = computeRoots ? foldRoot(leafCount) : null;
                }
                case "merkle_root" -> {
                    seen |= MERKLE_ROOT;
                    merkleRoot = hash(p, value, shown, field);
                }
                case "prev_root" -> {
                    seen |= PREV_ROOT;
                    prevRoot = hash(p, value, shown, field);
                }
                case "tower_receipt" -> {
                    seen |= TOWER_RECEIPT;
                    receipt = receipt(p, value, shown);
                }
                default -> throw fail(shown, field, "unexpected field");
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new MalformedFileException(shown, "expected a field name, found " + p.currentToken());
        }
        if (p.nextToken() != null) {
            throw new MalformedFileException(shown, "unexpected content after the JSON object");
        }
        if (seen != ALL) {
            throw fail(shown, firstMissing(seen), "missing");
        }
        return new ProofRecord(seq, proofId, createdAt, UtcTimes.day(createdAt), merkleRoot, prevRoot, receipt[0],
                receipt[1], leafCount, computed);
    }

    /** Decodes and leaf-hashes each hex leaf straight from the parser's characters, no String per leaf. */
    private int leaves(JsonParser p, JsonToken value, String shown) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw fail(shown, "leaves", "expected an array of hashes, found " + value);
        }
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_STRING || !decodeHash(p.getTextCharacters(), p.getTextOffset(), p.getTextLength())) {
                throw fail(shown, "leaves[" + n + "]", "expected 64 lowercase hex characters, found "
                        + (t == JsonToken.VALUE_STRING ? quoted(p.getText()) : String.valueOf(t)));
            }
            if (computeRoots) {
                if (n == hashes.length) {
                    hashes = Arrays.copyOf(hashes, n * 2);
                    for (int i = n; i < hashes.length; i++) hashes[i] = new byte[32];
                }
                sha256.update(LEAF_PREFIX);
                sha256.update(leaf, 0, 32);
                digestInto(hashes[n]);
            }
            n++;
        }
        return n;
    }

    /**
     * RFC 6962 over the leaf hashes in {@code hashes[0..n)}: pairing neighbours and carrying an odd
     * last node up unchanged is exactly the split at the largest power of two below n.
     */
    private String foldRoot(int n) {
        if (n == 0) {
            return Hex.encode(sha256.digest());
        }
        int size = n;
        while (size > 1) {
            int next = 0;
            for (int i = 0; i < size; i += 2) {
                if (i + 1 == size) {
                    byte[] carried = hashes[i];
                    hashes[i] = hashes[next];
                    hashes[next++] = carried;
                } else {
                    sha256.update(NODE_PREFIX);
                    sha256.update(hashes[i], 0, 32);
                    sha256.update(hashes[i + 1], 0, 32);
                    digestInto(hashes[next++]);
                }
            }
            size = next;
        }
        return Hex.encode(hashes[0]);
    }

    private void digestInto(byte[] out) {
        try {
            sha256.digest(out, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 refused a 32-byte output buffer", e);
        }
    }

    private boolean decodeHash(char[] chars, int offset, int length) {
        if (length != 64) return false;
        for (int i = 0; i < 32; i++) {
            int hi = nibble(chars[offset + 2 * i]);
            int lo = nibble(chars[offset + 2 * i + 1]);
            if (hi < 0 || lo < 0) return false;
            leaf[i] = (byte) (hi << 4 | lo);
        }
        return true;
    }

    private static int nibble(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    private static String[] receipt(JsonParser p, JsonToken value, String shown) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw fail(shown, "tower_receipt", "expected an object, found " + value);
        }
        String issuedAt = null, signature = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "issued_at" -> issuedAt = instant(p, v, shown, "tower_receipt.issued_at");
                case "signature" -> signature = hash(p, v, shown, "tower_receipt.signature");
                default -> throw fail(shown, "tower_receipt." + field, "unexpected field");
            }
        }
        if (issuedAt == null) throw fail(shown, "tower_receipt.issued_at", "missing");
        if (signature == null) throw fail(shown, "tower_receipt.signature", "missing");
        return new String[] {issuedAt, signature};
    }

    private static long seq(JsonParser p, JsonToken value, String shown) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() < 0) {
            throw fail(shown, "seq", "expected a non-negative integer, found " + shown(p, value));
        }
        return p.getLongValue();
    }

    private static String text(JsonParser p, JsonToken value, String shown, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw fail(shown, field, "expected a string, found " + shown(p, value));
        }
        return p.getText();
    }

    private static String hash(JsonParser p, JsonToken value, String shown, String field) throws IOException {
        String s = text(p, value, shown, field);
        if (!Hex.isHash(s)) {
            throw fail(shown, field, "expected 64 lowercase hex characters, found " + quoted(s));
        }
        return s;
    }

    private static String instant(JsonParser p, JsonToken value, String shown, String field) throws IOException {
        String s = text(p, value, shown, field);
        if (UtcTimes.day(s) == null) {
            throw fail(shown, field, "expected an ISO-8601 UTC time ending in Z, found " + quoted(s));
        }
        return s;
    }

    private static String firstMissing(int seen) {
        String[] names = {"schema", "seq", "proof_id", "created_at", "leaves", "merkle_root", "prev_root", "tower_receipt"};
        for (int i = 0; i < names.length; i++) {
            if ((seen & (1 << i)) == 0) return names[i];
        }
        throw new IllegalStateException("no field missing");
    }

    private static MalformedFileException fail(String shown, String field, String problem) {
        return new MalformedFileException(shown, field + ": " + problem);
    }

    private static String shown(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) return quoted(p.getText());
        if (value != null && value.isScalarValue()) return abbreviated(p.getText());
        return String.valueOf(value);
    }

    private static String quoted(String s) {
        return "\"" + abbreviated(s) + "\"";
    }

    private static String abbreviated(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
