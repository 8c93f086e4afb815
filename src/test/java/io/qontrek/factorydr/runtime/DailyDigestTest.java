package io.qontrek.factorydr.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DailyDigestTest {
    private static final String R1 = "1".repeat(64);
    private static final String R2 = "2".repeat(64);
    private static final String R3 = "3".repeat(64);

    @Test
    void digestHashesPrevDateAndRootsJoinedByBars() throws Exception {
        String prev = Reference.zero();
        assertThat(DailyDigest.compute(prev, "2025-10-23", List.of(R1, R2)))
                .isEqualTo(Reference.sha256(prev + "|2025-10-23|" + R1 + "|" + R2));
        assertThat(DailyDigest.compute(prev, "2025-10-24", List.of()))
                .isEqualTo(Reference.sha256(prev + "|2025-10-24"));
    }

    @Test
    void writesNullSeqsAsJsonNullAndRoundTrips(@TempDir Path proofDir) throws Exception {
        DailyDigest empty = new DailyDigest(DailyDigest.SCHEMA, "2025-10-24", null, null, R1, R2);
        Path file = DailyDigest.path(proofDir, LocalDate.of(2025, 10, 24));
        Files.createDirectories(file.getParent());
        Files.write(file, empty.toJson());

        assertThat(file).isEqualTo(proofDir.resolve("digests/2025-10-24.json"));
        assertThat(Files.readString(file)).isEqualTo("""
                {
                  "schema": "factory.digest.v1",
                  "date": "2025-10-24",
                  "first_seq": null,
                  "last_seq": null,
                  "prev_digest": "%s",
                  "digest": "%s"
                }
                """.formatted(R1, R2));
        assertThat(DailyDigest.read(file)).isEqualTo(empty);

        DailyDigest full = new DailyDigest(DailyDigest.SCHEMA, "2025-10-23", 40L, 47L, R1, R2);
        assertThat(DailyDigest.parse(full.toJson())).isEqualTo(full);
    }

    @Test
    void parseRefusesHalfNullSeqsMissingNullsAndBadDates() {
        String good = new String(new DailyDigest(DailyDigest.SCHEMA, "2025-10-23", 40L, 47L, R1, R2).toJson(),
                StandardCharsets.UTF_8);
        assertProblem(good.replace("\"last_seq\": 47", "\"last_seq\": null"), "both be null or both be set");
        assertProblem(good.replace("\"first_seq\": 40", "\"first_seq\": 48"), "first_seq 48 is after last_seq 47");
        assertProblem(good.replace("  \"last_seq\": 47,\n", ""), "last_seq: missing");
        assertProblem(good.replace("2025-10-23", "2025-02-30"), "date: expected a date YYYY-MM-DD");
        assertProblem(good.replace("factory.digest.v1", "factory.proof.v1"), "schema: expected \"factory.digest.v1\"");
    }

    private static void assertProblem(String json, String problem) {
        assertThatThrownBy(() -> DailyDigest.parse(json.getBytes(StandardCharsets.UTF_8), "proof/digests/x.json"))
                .isInstanceOf(MalformedFileException.class)
                .hasMessageStartingWith("proof/digests/x.json: ")
                .hasMessageContaining(problem);
    }

    @Test
    void fileNamesAreIsoDates() {
        assertThat(DailyDigest.dateOfFileName("2025-10-23.json")).contains(LocalDate.of(2025, 10, 23));
        assertThat(DailyDigest.dateOfFileName("2025-13-01.json")).isEmpty();
        assertThat(DailyDigest.dateOfFileName("2025-10-23.json.tmp")).isEmpty();
    }

    @Test
    void chainCoversEveryDayFromFirstToLastProofAndLinksEachToTheDayBefore() throws Exception {
        List<DailyDigest> days = new ArrayList<>();
        DigestChain chain = new DigestChain(days::add);
        chain.add(5, "2025-10-21T23:59:59Z", R1);
        chain.add(6, "2025-10-23T00:00:00Z", R2);
        chain.add(7, "2025-10-23T13:00:00Z", R3);
        chain.finish();

        String d21 = Reference.sha256(Reference.zero() + "|2025-10-21|" + R1);
        String d22 = Reference.sha256(d21 + "|2025-10-22");
        String d23 = Reference.sha256(d22 + "|2025-10-23|" + R2 + "|" + R3);
        assertThat(days).containsExactly(
                new DailyDigest(DailyDigest.SCHEMA, "2025-10-21", 5L, 5L, Reference.zero(), d21),
                new DailyDigest(DailyDigest.SCHEMA, "2025-10-22", null, null, d21, d22),
                new DailyDigest(DailyDigest.SCHEMA, "2025-10-23", 6L, 7L, d22, d23));
        assertThat(chain.lastDigest()).isEqualTo(d23);
    }

    @Test
    void chainRefusesSeqsOutOfOrderEvenAcrossDays() {
        DigestChain chain = new DigestChain(d -> {});
        chain.add(5, "2025-10-22T00:00:00Z", R1);
        assertThatThrownBy(() -> chain.add(5, "2025-10-23T00:00:00Z", R2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("proof seq 5 is not after seq 5");
    }

    @Test
    void chainRefusesAProofDatedBeforeItsPredecessor() {
        DigestChain chain = new DigestChain(d -> {});
        chain.add(1, "2025-10-23T00:00:00Z", R1);
        assertThatThrownBy(() -> chain.add(2, "2025-10-22T23:00:00Z", R2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proof seq 2 is dated 2025-10-22");
    }
}
