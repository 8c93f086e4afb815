package io.qontrek.factorydr.archive;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import io.qontrek.factorydr.common.Hashes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation, the bytes a manifest signature covers.
 *
 * <p>Object members sorted by their names' UTF-16 code units (Java's {@link String#compareTo}), no
 * whitespace, strings escaped as ECMAScript {@code JSON.stringify} does (only {@code \" \\ \b \f \n \r
 * \t} and lowercase {@code \}{@code u00XX} for other control characters; everything else literal UTF-8).
 *
 * <p>Numbers: our manifests hold only integers, so only integers within IEEE-754's exact range
 * (|n| &lt;= 2^53) are written, in plain decimal; anything else is refused rather than guessed at,
 * because RFC 8785 number formatting (ECMAScript's shortest round-trip double) is not implemented here.
 */
public final class CanonicalJson {
    private static final BigInteger MAX_EXACT = BigInteger.ONE.shiftLeft(53);
    private static final long MAX_EXACT_LONG = 1L << 53;

    private CanonicalJson() {}

    public static byte[] bytes(JsonNode node) {
        return string(node).getBytes(StandardCharsets.UTF_8);
    }

    public static String string(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out, null);
        return out.toString();
    }

    /**
     * The SHA-256 of {@link #bytes}, the canonical form streamed through the digest in pieces: for
     * comparing two manifests of 100,000s of files without holding either's canonical bytes.
     */
    public static byte[] sha256(JsonNode node) {
        MessageDigest digest = Hashes.sha256();
        StringBuilder out = new StringBuilder();
        write(node, out, digest);
        flush(out, digest);
        return digest.digest();
    }

    private static final int PIECE = 64 * 1024;

    /** Hands what is written so far to the digest once it is a piece long (always, when forced). */
    private static void flush(StringBuilder out, MessageDigest digest) {
        digest.update(out.toString().getBytes(StandardCharsets.UTF_8));
        out.setLength(0);
    }

    private static void maybeFlush(StringBuilder out, MessageDigest digest) {
        if (digest != null && out.length() >= PIECE) flush(out, digest); // pieces end between values: whole chars
    }

    private static void write(JsonNode node, StringBuilder out, MessageDigest digest) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out, digest);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) out.append(',');
                    write(node.get(i), out, digest);
                    maybeFlush(out, digest);
                }
                out.append(']');
            }
            case STRING -> quote(node.textValue(), out);
            case NUMBER -> out.append(integer(node));
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("not JSON data: " + node.getNodeType());
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out, MessageDigest digest) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) members.add(it.next());
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) out.append(',');
            quote(members.get(i).getKey(), out);
            out.append(':');
            write(members.get(i).getValue(), out, digest);
            maybeFlush(out, digest);
        }
        out.append('}');
    }

    private static String integer(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) { // the common case, without BigInteger
            long v = node.longValue();
            if (v >= -MAX_EXACT_LONG && v <= MAX_EXACT_LONG) return Long.toString(v);
        }
        BigInteger value;
        if (node.isIntegralNumber()) {
            value = node.bigIntegerValue();
        } else {
            BigDecimal decimal = node.decimalValue();
            try {
                value = decimal.toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("canonical JSON here supports integers only, got " + node.asText());
            }
        }
        if (value.abs().compareTo(MAX_EXACT) > 0) {
            throw new IllegalArgumentException("integer outside the exact IEEE-754 range: " + value);
        }
        return value.toString();
    }

    /** Appends {@code s} as an RFC 8785 string literal. */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        if (plain(s)) { // paths and hashes: nothing to escape, no surrogates
            out.append(s).append('"');
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // A lone surrogate has no UTF-8 encoding; RFC 8785 section 3.2.2.2 requires refusal.
                        throw new IllegalArgumentException("string holds a lone surrogate at index " + i);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Whether every char is written as itself: no escape, no control character, no surrogate. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) return false;
        }
        return true;
    }
}
