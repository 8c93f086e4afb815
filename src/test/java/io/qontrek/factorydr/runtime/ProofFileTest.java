package io.qontrek.factorydr.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProofFileTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String ROOT = "c".repeat(64);
    private static final String PREV = "d".repeat(64);
    private static final String SIG = "e".repeat(64);

    private static final ProofFile PROOF = new ProofFile(ProofFile.SCHEMA, 42, "p-000000000042",
            "2025-10-23T14:00:00Z", List.of(A, B), ROOT, PREV,
            new ProofFile.TowerReceipt("2025-10-23T14:00:01Z", SIG));

    /** The contract's example, pretty-printed: snake_case keys in the contract's order. */
    private static final String PROOF_JSON = """
            {
              "schema": "factory.proof.v1",
              "seq": 42,
              "proof_id": "p-000000000042",
              "created_at": "2025-10-23T14:00:00Z",
              "leaves": [
                "%s",
                "%s"
              ],
              "merkle_root": "%s",
              "prev_root": "%s",
              "tower_receipt": {
                "issued_at": "2025-10-23T14:00:01Z",
                "signature": "%s"
              }
            }
            """.formatted(A, B, ROOT, PREV, SIG);

    @Test
    void writesTheContractsShapeExactly() {
        assertThat(new String(PROOF.toJson(), StandardCharsets.UTF_8)).isEqualTo(PROOF_JSON);
    }

    @Test
    void roundTripsThroughAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(ProofFile.fileName(42));
        Files.write(file, PROOF.toJson());

        ProofFile read = ProofFile.read(file);

        assertThat(read).isEqualTo(PROOF);
        assertThat(read.toJson()).isEqualTo(PROOF.toJson());
    }

    @Test
    void readsKeysInAnyOrderAndEmptyLeaves() throws Exception {
        String json = """
                {"tower_receipt": {"signature": "%s", "issued_at": "2025-10-23T14:00:01Z"}, "prev_root": "%s",
                 "merkle_root": "%s", "leaves": [], "created_at": "2025-10-23T14:00:00Z", "proof_id": "p-7",
                 "seq": 7, "schema": "factory.proof.v1"}""".formatted(SIG, PREV, ROOT);

        ProofFile proof = ProofFile.parse(json.getBytes(StandardCharsets.UTF_8));

        assertThat(proof.seq()).isEqualTo(7);
        assertThat(proof.leaves()).isEmpty();
        assertThat(new String(proof.toJson(), StandardCharsets.UTF_8)).contains("\"leaves\": [],");
    }

    @Test
    void computedRootIsTheRfc6962RootOfTheLeaves() throws Exception {
        assertThat(PROOF.computedRoot()).isEqualTo(Reference.mthHex(List.of(A, B)));
    }

    @Test
    void parseErrorsNameTheFileAndTheProblemOnOneLine(@TempDir Path dir) throws Exception {
        assertProblem(dir, PROOF_JSON.replace("factory.proof.v1", "factory.proof.v2"),
                "schema: expected \"factory.proof.v1\", found \"factory.proof.v2\"");
        assertProblem(dir, PROOF_JSON.replace("  \"seq\": 42,\n", ""), "seq: missing");
        assertProblem(dir, PROOF_JSON.replace("\"seq\": 42", "\"seq\": -1"), "seq: expected a non-negative integer");
        assertProblem(dir, PROOF_JSON.replace("\"seq\": 42", "\"seq\": \"42\""), "seq: expected a non-negative integer");
        assertProblem(dir, PROOF_JSON.replace(ROOT, ROOT.toUpperCase()), "merkle_root: expected 64 lowercase hex");
        assertProblem(dir, PROOF_JSON.replace("\"" + B + "\"", "\"" + B.substring(1) + "\""),
                "leaves[1]: expected 64 lowercase hex");
        assertProblem(dir, PROOF_JSON.replace("14:00:00Z", "14:00:00+01:00"),
                "created_at: expected an ISO-8601 UTC time ending in Z");
        assertProblem(dir, PROOF_JSON.replace("\"signature\"", "\"sig\""), "tower_receipt.sig: unexpected field");
        assertProblem(dir, PROOF_JSON.replace("\"seq\": 42,", "\"seq\": 42, \"extra\": 1,"), "extra: unexpected field");
        assertProblem(dir, PROOF_JSON.replace("\"seq\": 42,", "\"seq\": 42, \"seq\": 43,"), "not valid JSON at line 3");
        assertProblem(dir, PROOF_JSON.substring(0, 200), "not valid JSON");
        assertProblem(dir, PROOF_JSON + "{}", "not valid JSON");
        assertProblem(dir, "", "empty file");
        assertProblem(dir, "[]", "expected a JSON object");
    }

    private static void assertProblem(Path dir, String json, String problem) throws Exception {
        Path file = dir.resolve("proof-000000000042.json");
        Files.writeString(file, json);
        assertThatThrownBy(() -> ProofFile.read(file))
                .isInstanceOf(MalformedFileException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    }

    @Test
    void fileNamesCarryTwelveDigitSeqs() {
        assertThat(ProofFile.fileName(0)).isEqualTo("proof-000000000000.json");
        assertThat(ProofFile.fileName(42)).isEqualTo("proof-000000000042.json");
        assertThat(ProofFile.seqOfFileName("proof-000000000042.json")).isEqualTo(OptionalLong.of(42));
        assertThat(ProofFile.seqOfFileName("proof-1234567890123.json")).isEqualTo(OptionalLong.of(1234567890123L));
        assertThat(ProofFile.seqOfFileName("proof-42.json")).isEmpty();
        assertThat(ProofFile.seqOfFileName("proof-0000000000042.json")).isEmpty();
        assertThat(ProofFile.seqOfFileName("proof-000000000042.json.tmp")).isEmpty();
        assertThat(ProofFile.seqOfFileName("2025-10-23.json")).isEmpty();
        assertThatThrownBy(() -> ProofFile.fileName(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ProofFile.proofId(42)).isEqualTo("p-000000000042");
    }

    @Test
    void seqOfFileNameAnswersWhatItsDefinitionAnswers() {
        // the definition: proof-(\d{12,18}).json whose seq gives back exactly that name
        java.util.regex.Pattern definition = java.util.regex.Pattern.compile("proof-(\\d{12,18})\\.json");
        for (String name : java.util.List.of("proof-000000000042.json", "proof-000000000000.json", "proof-1000000000000.json",
                "proof-999999999999999999.json", "proof-0999999999999999.json", "proof-9999999999999999999.json",
                "proof-42.json", "proof-0000000000042.json", "proof-00000000004a.json", "proof-000000000042.JSON",
                "proof-000000000042.json.tmp", "xproof-000000000042.json", "proof-.json", "proof-\u0661\u0662000000000.json",
                "proof-00000000004 .json", "proof-+00000000042.json", "proof--00000000042.json")) {
            java.util.regex.Matcher m = definition.matcher(name);
            OptionalLong expected = m.matches() && ProofFile.fileName(Long.parseLong(m.group(1))).equals(name)
                    ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
            assertThat(ProofFile.seqOfFileName(name)).as(name).isEqualTo(expected);
        }
    }
}
