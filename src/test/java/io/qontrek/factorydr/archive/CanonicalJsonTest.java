package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.qontrek.factorydr.common.Hex;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** RFC 8785 examples that need no float formatting, and the ECMAScript escaping rules. */
class CanonicalJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode parse(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void rfc8785Section323SortsByUtf16CodeUnits() throws Exception {
        String input = """
                {
                   "\\u20ac": "Euro Sign",
                   "\\r": "Carriage Return",
                   "\\ufb33": "Hebrew Letter Dalet With Dagesh",
                   "1": "One",
                   "\\ud83d\\ude00": "Emoji: Grinning Face",
                   "\\u0080": "Control",
                   "\\u00f6": "Latin Small Letter O With Diaeresis"
                }""";
        assertThat(CanonicalJson.string(parse(input))).isEqualTo(
                "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
                        + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    @Test
    void rfc8785Section322StringsAndLiterals() throws Exception {
        // The RFC's example without its "numbers" member, which needs ECMAScript double formatting.
        String input = """
                {
                  "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
                  "literals": [null, true, false]
                }""";
        String canonical = "{\"literals\":[null,true,false],\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertThat(CanonicalJson.string(parse(input))).isEqualTo(canonical);
        // RFC 8785 section 3.2.4 lists the UTF-8 bytes of the full example; these are its bytes minus "numbers".
        assertThat(Hex.encode(CanonicalJson.bytes(parse(input)))).isEqualTo(
                "7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c"
                        + "22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d");
    }

    @Test
    void rfc8785NumbersExampleIsRefusedRatherThanGuessed() throws Exception {
        JsonNode numbers = parse("{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]}");
        assertThatThrownBy(() -> CanonicalJson.string(numbers)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void escapesOnlyWhatJsonStringifyEscapes() {
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) controls.append(c);
        String expected = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"";
        assertThat(CanonicalJson.string(JsonNodeFactory.instance.textNode(controls.toString()))).isEqualTo(expected);
        // no escaping of '/', DEL, U+2028, non-ASCII or astral characters
        String literal = "/\u007f\u2028\u00e9\u65e5\ud83d\ude00<>&'";
        assertThat(CanonicalJson.string(JsonNodeFactory.instance.textNode(literal))).isEqualTo("\"" + literal + "\"");
    }

    @Test
    void refusesLoneSurrogates() {
        assertThatThrownBy(() -> CanonicalJson.string(JsonNodeFactory.instance.textNode("a\ud800b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate");
    }

    @Test
    void nestedObjectsAndArraysWithoutWhitespace() throws Exception {
        JsonNode node = parse("{ \"b\" : [ 3 , { \"z\" : 1, \"a\" : -2 } ] , \"a\" : { } , \"c\" : [ ] }");
        assertThat(CanonicalJson.string(node)).isEqualTo("{\"a\":{},\"b\":[3,{\"a\":-2,\"z\":1}],\"c\":[]}");
    }

    @Test
    void integersArePlainDecimalWithinTheExactDoubleRange() throws Exception {
        assertThat(CanonicalJson.string(parse("[0, -0, 9007199254740992, -9007199254740992, 1.0, 1E2]")))
                .isEqualTo("[0,0,9007199254740992,-9007199254740992,1,100]");
        assertThatThrownBy(() -> CanonicalJson.string(JsonNodeFactory.instance.numberNode(BigInteger.TWO.pow(53).add(BigInteger.ONE))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.string(parse("[0.5]"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theStreamedDigestIsTheDigestOfTheCanonicalBytes() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode root = new ObjectMapper().createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode files = root.putArray("files");
        for (int i = 0; i < 5_000; i++) { // well over one 64 KiB piece
            files.addObject().put("sha256", "ab".repeat(32)).put("size", i).put("path", "proof/\u00e9t\u00e9-\"" + i + "\"\n.json");
        }
        root.put("z", "\ud83d\ude00 last");
        byte[] canonical = CanonicalJson.bytes(root);
        assertThat(canonical.length).isGreaterThan(3 * 64 * 1024);
        assertThat(CanonicalJson.sha256(root)).isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(canonical));
    }
}
