package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.qontrek.factorydr.common.Hex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProofChainVerifierTest {
    @TempDir
    Path tmp;

    @Test
    void aGeneratedRuntimePassesAndReportsItsHead() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);

        Verification v = ProofChainVerifier.verify(rt.layout);

        assertThat(v.problems()).isEmpty();
        assertThat(v.passed()).isTrue();
        assertThat(v.name()).isEqualTo("proofs");
        assertThat(v.checked()).isEqualTo(300);
        assertThat(v.detail()).isEqualTo("proof chain continuous: seq 0..299, 300 proofs");
        assertThat(v.fact("head_seq")).contains("299");
        assertThat(v.fact("head_root")).contains(rt.summary.proofHead().merkleRoot());
        assertThat(v.firstProblem()).isEmpty();
    }

    @Test
    void aChangedLeafIsARootMismatchAtThatSeq() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        TestRuntime.editJson(rt.proof(42), p -> ((ArrayNode) p.get("leaves")).set(3, "ab".repeat(32)));

        Verification v = ProofChainVerifier.verify(rt.layout);

        assertThat(v.passed()).isFalse();
        assertThat(v.problems()).containsExactly("seq 42: merkle_root does not recompute from its 8 leaves (RFC 6962)");
        assertThat(v.detail()).startsWith("proof chain broken: 1 problem in 300 checked; first: seq 42:");
    }

    @Test
    void aDeletedProofIsAMissingSeq() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        Files.delete(rt.proof(42));

        Verification v = ProofChainVerifier.verify(rt.layout);

        assertThat(v.problems()).containsExactly("seq 42 missing");
        assertThat(v.firstProblem()).contains("seq 42 missing");
    }

    @Test
    void aRunOfMissingProofsIsOneLine() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        for (long seq = 0; seq < 5; seq++) Files.delete(rt.proof(seq));

        assertThat(ProofChainVerifier.verify(rt.layout).problems()).containsExactly("seq 0..4 missing (5 proofs)");
    }

    @Test
    void aBrokenPrevRootNamesTheLink() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        TestRuntime.editJson(rt.proof(43), p -> p.put("prev_root", "cd".repeat(32)));
        TestRuntime.editJson(rt.proof(0), p -> p.put("prev_root", "ef".repeat(32)));

        assertThat(ProofChainVerifier.verify(rt.layout).problems()).containsExactly(
                "seq 0: prev_root is not ZERO",
                "seq 43: prev_root does not match merkle_root of seq 42");
    }

    @Test
    void malformedAndMisfiledProofsNameTheFile() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        Files.writeString(rt.proof(7), "{\"schema\": \"factory.proof.v1\", \"seq\": 7,");
        TestRuntime.editJson(rt.proof(8), p -> p.put("seq", 9));
        TestRuntime.editJson(rt.proof(9), p -> p.put("merkle_root", "XYZ"));
        TestRuntime.editJson(rt.proof(10), p -> p.put("extra", 1));
        Files.writeString(rt.layout.proofDir().resolve("proof-11.json"), "{}");

        Verification v = ProofChainVerifier.verify(rt.layout);

        assertThat(v.problems()).hasSize(5);
        assertThat(v.problems().get(0)).startsWith("proof-11.json: not a proof file name");
        assertThat(v.problems().get(1)).startsWith("proof-000000000007.json: not valid JSON");
        assertThat(v.problems().get(2)).isEqualTo("proof-000000000008.json: seq field is 9, the file name says 8");
        assertThat(v.problems().get(3))
                .isEqualTo("proof-000000000009.json: merkle_root: expected 64 lowercase hex characters, found \"XYZ\"");
        assertThat(v.problems().get(4)).isEqualTo("proof-000000000010.json: extra: unexpected field");
    }

    @Test
    void aDateRangeChecksItsDaysAndTheLinkIntoThem() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        LocalDate lastDay = rt.summary.lastDay();
        Verification clean = ProofChainVerifier.verify(rt.layout, Optional.of(lastDay), Optional.of(lastDay));
        assertThat(clean.passed()).isTrue();
        long first = Long.parseLong(clean.fact("first_seq").orElseThrow());
        assertThat(first).isPositive();
        assertThat(clean.checked()).isEqualTo(300 - first);
        assertThat(clean.fact("head_seq")).contains("299");

        // A break before the range is not its business; the link into the range is.
        TestRuntime.editJson(rt.proof(first - 2), p -> p.put("merkle_root", "00".repeat(32)));
        TestRuntime.editJson(rt.proof(first), p -> p.put("prev_root", "11".repeat(32)));

        Verification v = ProofChainVerifier.verify(rt.layout, Optional.of(lastDay), Optional.empty());
        assertThat(v.problems()).containsExactly(
                "seq " + first + ": prev_root does not match merkle_root of seq " + (first - 1));
        assertThat(ProofChainVerifier.verify(rt.layout).problems()).hasSize(3);
    }

    @Test
    void problemsAreCapped() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        for (long seq = 1; seq < 300; seq += 2) Files.delete(rt.proof(seq));

        Verification v = ProofChainVerifier.verify(rt.layout);

        assertThat(v.problems()).hasSize(Findings.CAP + 1);
        // 149 gaps: the deleted seq 299 was the head, and nothing after it can miss it (the digests do).
        assertThat(v.problems().get(Findings.CAP)).isEqualTo("... and 49 more");
        assertThat(Hex.isHash(v.fact("head_root").orElseThrow())).isTrue();
    }
}
