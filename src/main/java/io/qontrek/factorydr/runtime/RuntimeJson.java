package io.qontrek.factorydr.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How the runtime's JSON files are written and read. Written: pretty, two-space indent,
 * {@code "key": value}, one array element a line, LF, a final newline; keys in the order the
 * writer emits them (the contract's order). Read: strictly, duplicate keys and trailing content
 * refused, so a hand-edited or truncated file is a parse error, not a silently different value.
 */
final class RuntimeJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final DefaultPrettyPrinter PRETTY = prettyPrinter();
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RuntimeJson() {}

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(PRETTY.createInstance());
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory: " + e.getMessage(), e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** Any tree of maps, lists and scalars, written in the same style (map order kept). */
    static byte[] writeValue(Object value) {
        return write(g -> MAPPER.writeValue(g, value));
    }

    /** The top-level object of a JSON document, or a one-line MalformedFileException naming source. */
    static JsonFields readObject(byte[] json, String source) throws MalformedFileException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new MalformedFileException(source, "not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedFileException(source, "unreadable JSON: " + e.getMessage(), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new MalformedFileException(source, "empty file, expected a JSON object");
        }
        if (!node.isObject()) {
            throw new MalformedFileException(source, "expected a JSON object, found " + node.getNodeType());
        }
        return new JsonFields(node, source, "");
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""));
        DefaultIndenter lf = new DefaultIndenter("  ", "\n");
        pp.indentObjectsWith(lf);
        pp.indentArraysWith(lf);
        return pp;
    }
}
