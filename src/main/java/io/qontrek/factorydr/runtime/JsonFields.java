package io.qontrek.factorydr.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.qontrek.factorydr.common.Hex;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The fields of one JSON object, read against the contract: each accessor names the field and
 * the bad value when the file disagrees, so every parse error is one actionable line.
 */
final class JsonFields {
    private final JsonNode node;
    private final String source;
    private final String prefix;

    JsonFields(JsonNode node, String source, String prefix) {
        this.node = node;
        this.source = source;
        this.prefix = prefix;
    }

    /** Refuses fields the schema does not have: a versioned schema with extra fields is not that version. */
    JsonFields only(Set<String> allowed) throws MalformedFileException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw fail(name, "unexpected field");
            }
        }
        return this;
    }

    String text(String name) throws MalformedFileException {
        JsonNode v = required(name);
        if (!v.isTextual()) {
            throw fail(name, "expected a string, found " + shown(v));
        }
        return v.textValue();
    }

    String constant(String name, String expected) throws MalformedFileException {
        String v = text(name);
        if (!v.equals(expected)) {
            throw fail(name, "expected \"" + expected + "\", found " + quoted(v));
        }
        return v;
    }

    String nonEmptyText(String name) throws MalformedFileException {
        String v = text(name);
        if (v.isBlank()) {
            throw fail(name, "is empty");
        }
        return v;
    }

    String hash(String name) throws MalformedFileException {
        String v = text(name);
        if (!Hex.isHash(v)) {
            throw fail(name, "expected 64 lowercase hex characters, found " + quoted(v));
        }
        return v;
    }

    /** A UTC instant written ISO-8601 with a Z, returned as written. */
    String instant(String name) throws MalformedFileException {
        String v = text(name);
        if (!isUtcInstant(v)) {
            throw fail(name, "expected an ISO-8601 UTC time ending in Z, found " + quoted(v));
        }
        return v;
    }

    /** A calendar date YYYY-MM-DD, returned as written. */
    String date(String name) throws MalformedFileException {
        String v = text(name);
        try {
            LocalDate.parse(v, DateTimeFormatter.ISO_LOCAL_DATE);
        } catch (DateTimeParseException e) {
            throw fail(name, "expected a date YYYY-MM-DD, found " + quoted(v));
        }
        return v;
    }

    long seq(String name) throws MalformedFileException {
        JsonNode v = required(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw fail(name, "expected a non-negative integer, found " + shown(v));
        }
        return v.longValue();
    }

    /** A sequence number that may be JSON null (present but null). */
    Long nullableSeq(String name) throws MalformedFileException {
        JsonNode v = required(name);
        return v.isNull() ? null : seq(name);
    }

    List<String> hashes(String name) throws MalformedFileException {
        JsonNode v = required(name);
        if (!v.isArray()) {
            throw fail(name, "expected an array of hashes, found " + shown(v));
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() || !Hex.isHash(e.textValue())) {
                throw fail(name + "[" + i + "]", "expected 64 lowercase hex characters, found " + shown(e));
            }
            out.add(e.textValue());
        }
        return out;
    }

    JsonFields object(String name) throws MalformedFileException {
        JsonNode v = required(name);
        if (!v.isObject()) {
            throw fail(name, "expected an object, found " + shown(v));
        }
        return new JsonFields(v, source, prefix + name + ".");
    }

    MalformedFileException fail(String name, String problem) {
        return new MalformedFileException(source, prefix + name + ": " + problem);
    }

    static boolean isUtcInstant(String s) {
        if (!s.endsWith("Z")) return false;
        try {
            DateTimeFormatter.ISO_INSTANT.parse(s, Instant::from);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private JsonNode required(String name) throws MalformedFileException {
        JsonNode v = node.get(name);
        if (v == null) {
            throw fail(name, "missing");
        }
        return v;
    }

    private static String shown(JsonNode v) {
        return v.isTextual() ? quoted(v.textValue()) : abbreviated(v.toString());
    }

    private static String quoted(String s) {
        return "\"" + abbreviated(s) + "\"";
    }

    private static String abbreviated(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
