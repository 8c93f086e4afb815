package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestVerifierTest {
    @TempDir
    Path tmp;

    @Test
    void aGeneratedRuntimePasses() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);

        Verification v = DigestVerifier.verify(rt.layout);

        assertThat(v.problems()).isEmpty();
        assertThat(v.passed()).isTrue();
        long days = rt.summary.digestFiles();
        assertThat(v.checked()).isEqualTo(days);
        assertThat(v.detail()).isEqualTo("daily digests continuous: " + days + " days " + rt.summary.firstDay() + ".."
                + rt.summary.lastDay() + ", 300 proofs");
    }

    @Test
    void emptyDaysHaveTheirDigestWithNullSeqs() throws Exception {
        // 3 proofs over 10 days: most days are empty, and still digested and chained.
        TestRuntime rt = TestRuntime.generate(tmp, 3, 10, 5);

        Verification v = DigestVerifier.verify(rt.layout);

        assertThat(v.problems()).isEmpty();
        assertThat(v.checked()).isGreaterThan(3);
    }

    @Test
    void anAlteredDigestIsReportedOnItsDayAndAsTheNextDaysBrokenLink() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        LocalDate day = rt.summary.firstDay().plusDays(1);
        TestRuntime.editJson(rt.digest(day), d -> d.put("digest", "ab".repeat(32)));

        Verification v = DigestVerifier.verify(rt.layout);

        assertThat(v.problems()).hasSize(2);
        assertThat(v.problems().get(0)).startsWith(day + ": digest does not recompute from its prev_digest and the day's ");
        assertThat(v.problems().get(1)).isEqualTo(day.plusDays(1) + ": prev_digest does not match the digest of " + day);
    }

    @Test
    void aDeletedDigestIsAMissingDay() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        LocalDate day = rt.summary.firstDay().plusDays(1);
        Files.delete(rt.digest(day));

        Verification v = DigestVerifier.verify(rt.layout);

        assertThat(v.problems()).containsExactly(day + ": digest missing (digests/" + day + ".json)");
    }

    @Test
    void wrongSeqsAChangedRootAndAStrayDigestAreNamed() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        LocalDate first = rt.summary.firstDay();
        TestRuntime.editJson(rt.digest(first), d -> d.put("last_seq", d.get("last_seq").asLong() - 1));
        Files.copy(rt.digest(first), rt.digest(first.minusDays(5)));
        // A proof whose root changed (leaves and all) no longer matches its day's digest.
        TestRuntime.editJson(rt.proof(299), p -> p.put("merkle_root", "cd".repeat(32)));

        Verification v = DigestVerifier.verify(rt.layout);

        assertThat(v.problems()).hasSize(3);
        assertThat(v.problems().get(0)).startsWith(first + ": first_seq..last_seq is seq 0..").contains(", the day's proofs are seq 0..");
        assertThat(v.problems().get(1)).startsWith(rt.summary.lastDay() + ": digest does not recompute");
        assertThat(v.problems().get(2)).isEqualTo(first.minusDays(5) + ": digest outside the proof days " + first + ".."
                + rt.summary.lastDay());
    }
}
