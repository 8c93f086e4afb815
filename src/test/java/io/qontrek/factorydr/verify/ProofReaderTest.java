package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.runtime.MalformedFileException;
import io.qontrek.factorydr.runtime.ProofFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fast reader against the runtime's own ProofFile: same values, same refusals. */
class ProofReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsWhatProofFileReads() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp.resolve("rt"), 20, 1, 0);
        ProofReader reader = new ProofReader(true);
        for (long seq = 0; seq < 20; seq++) {
            ProofFile expected = ProofFile.read(rt.proof(seq));
            ProofRecord r = reader.read(rt.proof(seq), "x");
            assertThat(r).isEqualTo(new ProofRecord(expected.seq(), expected.proofId(), expected.createdAt(),
                    Instant.parse(expected.createdAt()).atZone(ZoneOffset.UTC).toLocalDate(), expected.merkleRoot(),
                    expected.prevRoot(), expected.towerReceipt().issuedAt(), expected.towerReceipt().signature(),
                    expected.leaves().size(), expected.computedRoot()));
        }
        assertThat(new ProofReader(false).read(rt.proof(3), "x").computedRoot()).isNull();
    }

    @Test
    void rootsOfEveryLeafCountMatchTheRuntimesMerkleTree() throws Exception {
        ProofReader reader = new ProofReader(true);
        for (int n : new int[] {0, 1, 2, 3, 5, 7, 8, 9, 64, 65, 200}) {
            Path root = tmp.resolve("leaves-" + n);
            TestRuntime rt = new TestRuntimeWithLeaves(root, n).runtime;
            ProofFile expected = ProofFile.read(rt.proof(0));
            assertThat(reader.read(rt.proof(0), "x").computedRoot()).as(n + " leaves").isEqualTo(expected.computedRoot());
        }
    }

    @Test
    void refusesWhatProofFileRefuses() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp.resolve("rt"), 1, 1, 0);
        String good = Files.readString(rt.proof(0));
        List<String> bad = List.of(
                "",
                "[]",
                good + "{}",
                good.replace("\"schema\"", "\"schema\": \"factory.proof.v1\", \"schema\""),
                good.replace("factory.proof.v1", "factory.proof.v2"),
                good.replace("\"seq\" : 0", "\"seq\" : -1").replace("\"seq\": 0", "\"seq\": -1"),
                good.replace("\"seq\" : 0", "\"seq\" : \"0\"").replace("\"seq\": 0", "\"seq\": \"0\""),
                good.replaceFirst("\"created_at\" ?: ?\"([^\"]*)Z\"", "\"created_at\": \"$1+00:00\""),
                good.replaceFirst("\"created_at\" ?: ?\"\\d{4}-\\d\\d-\\d\\d", "\"created_at\": \"2025-02-30"),
                good.replaceFirst("\"issued_at\" ?: ?\"[^\"]*\"", "\"issued_at\": \"yesterday\""),
                good.replaceFirst("\"prev_root\" ?: ?\"0", "\"prev_root\": \"A"),
                good.replaceFirst("\"leaves\" ?: ?\\[\\s*\"", "\"leaves\": [\"G"),
                good.replaceFirst(",\\s*\"proof_id\" ?: ?\"[^\"]*\"", ""),
                good.replaceFirst("\"signature\"", "\"sig\""));
        Path file = tmp.resolve("bad.json");
        for (String json : bad) {
            assertThat(json).as("a broken copy").isNotEqualTo(good);
            Files.writeString(file, json, StandardCharsets.UTF_8);
            assertThatThrownBy(() -> ProofFile.read(file)).as("ProofFile on %s", json).isInstanceOf(MalformedFileException.class);
            assertThatThrownBy(() -> new ProofReader(true).read(file, "bad.json")).as("ProofReader on %s", json)
                    .isInstanceOf(MalformedFileException.class)
                    .hasMessageStartingWith("bad.json: ")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void fileNamesAndTimesAgreeWithTheSlowPaths() {
        for (String name : List.of("proof-000000000042.json", "proof-000000000000.json", "proof-1000000000000.json",
                "proof-42.json", "proof-0000000000042.json", "proof-00000000004a.json", "proof-000000000042.JSON",
                "proof-000000000042.json.tmp", "xproof-000000000042.json", "proof-.json", "proof-999999999999999999.json")) {
            assertThat(ProofDirectory.seqOfFileName(name)).as(name).isEqualTo(ProofFile.seqOfFileName(name));
        }
        for (long seq : new long[] {0, 7, 42, 999_999_999_999L, 1_000_000_000_000L}) {
            assertThat(ProofDirectory.fileName(seq)).isEqualTo(ProofFile.fileName(seq));
        }
        for (String t : List.of("2025-10-23T14:00:00Z", "2025-10-23T14:00:00.5Z", "2025-10-23T14:00:00.123456789Z",
                "2024-02-29T23:59:59Z", "2025-02-29T00:00:00Z", "2025-10-23T24:00:00Z", "2025-10-23T14:60:00Z",
                "2025-10-23T23:59:60Z", "2025-10-23T14:00:00.Z", "2025-10-23T14:00:00.1234567890Z", "2025-10-23T14:00Z",
                "2025-10-23 14:00:00Z", "2025-10-23T14:00:00+00:00", "+12025-10-23T14:00:00Z", "2025-13-01T00:00:00Z")) {
            LocalDate slow;
            try {
                slow = t.endsWith("Z") ? DateTimeFormatter.ISO_INSTANT.parse(t, Instant::from).atZone(ZoneOffset.UTC).toLocalDate() : null;
            } catch (RuntimeException e) {
                slow = null;
            }
            assertThat(UtcTimes.day(t)).as(t).isEqualTo(slow);
        }
    }

    /** A one-proof runtime whose proof has {@code n} leaves. */
    private static final class TestRuntimeWithLeaves {
        final TestRuntime runtime;

        TestRuntimeWithLeaves(Path root, int n) throws Exception {
            io.qontrek.factorydr.runtime.SampleRuntime.generate(root, io.qontrek.factorydr.runtime.SampleRuntime.Options
                    .builder().proofs(1).days(1).ledgerRows(0).logMb(0).leavesPerProof(n)
                    .towerSecret(TestRuntime.TOWER_SECRET).end(TestRuntime.END).build(), null);
            runtime = TestRuntime.open(root);
        }
    }
}
