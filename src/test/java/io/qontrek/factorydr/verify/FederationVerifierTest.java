package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederationVerifierTest {
    @TempDir
    Path tmp;

    @Test
    void aGeneratedRuntimePasses() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);

        Verification v = FederationVerifier.verify(rt.layout);

        assertThat(v.problems()).isEmpty();
        assertThat(v.passed()).isTrue();
        assertThat(v.checked()).isEqualTo(400);
        assertThat(v.detail()).isEqualTo("ledger chain continuous: seq 1..400, every nonce in the nonce store");
        assertThat(v.fact("head_entry_hash")).contains(rt.summary.ledgerHead().entryHash());
    }

    @Test
    void aChangedPayloadIsAnEntryHashMismatchAtThatSeq() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        TestRuntime.sql(rt.layout.ledgerDb(), "UPDATE ledger SET payload_sha256 = ? WHERE seq = 42", "ee".repeat(32));

        assertThat(FederationVerifier.verify(rt.layout).problems())
                .containsExactly("seq 42: entry_hash does not recompute (the row changed after it was chained)");
    }

    @Test
    void aDeletedRowAndABrokenLinkAreNamed() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        TestRuntime.sql(rt.layout.ledgerDb(), "DELETE FROM ledger WHERE seq = 42");
        TestRuntime.sql(rt.layout.ledgerDb(), "UPDATE ledger SET prev_hash = ? WHERE seq = 100", "ee".repeat(32));

        assertThat(FederationVerifier.verify(rt.layout).problems()).containsExactly(
                "seq 42 missing",
                "seq 100: prev_hash does not match entry_hash of seq 99",
                "seq 100: entry_hash does not recompute (the row changed after it was chained)");
    }

    @Test
    void aNonceMissingFromTheNonceStoreIsNamedWithItsSeq() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        String nonce = TestRuntime.queryOne(rt.layout.ledgerDb(), "SELECT nonce FROM ledger WHERE seq = 42");
        TestRuntime.sql(rt.layout.nonceStoreDb(), "DELETE FROM nonces WHERE nonce = ?", nonce);

        Verification v = FederationVerifier.verify(rt.layout);

        assertThat(v.problems()).containsExactly("seq 42: nonce " + nonce + " not in the nonce store");
    }

    @Test
    void theProbeSendsATestBatchRejectsAReplayAndLeavesNoTrace() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        Map<String, String> before = TestRuntime.fingerprint(rt.layout.dataDir());

        Verification v = FederationVerifier.probe(rt.layout);

        assertThat(v.problems()).isEmpty();
        assertThat(v.passed()).isTrue();
        assertThat(v.name()).isEqualTo("federation-probe");
        assertThat(v.detail()).isEqualTo("test batch accepted at seq 401 and chained; replay of the nonce of seq 400"
                + " rejected (nonce already in the nonce store); both rolled back");
        assertThat(TestRuntime.fingerprint(rt.layout.dataDir())).isEqualTo(before);
        assertThat(FederationVerifier.verify(rt.layout).passed()).isTrue();
    }

    @Test
    void theProbeFailsWhenTheNonceStoreDoesNotRefuseAReplay() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 10, 1, 20);
        // A nonce store restored with the wrong schema: no PRIMARY KEY, so nothing stops a replay.
        Path store = rt.layout.nonceStoreDb();
        TestRuntime.sql(store, "ALTER TABLE nonces RENAME TO old");
        TestRuntime.sql(store, "CREATE TABLE nonces (nonce TEXT, peer TEXT NOT NULL, first_seen TEXT NOT NULL)");
        TestRuntime.sql(store, "INSERT INTO nonces SELECT * FROM old");
        TestRuntime.sql(store, "DROP TABLE old");

        assertThat(FederationVerifier.verify(rt.layout).passed()).isTrue();
        Verification v = FederationVerifier.probe(rt.layout);

        assertThat(v.passed()).isFalse();
        assertThat(v.problems()).containsExactly(
                "replay of the nonce of seq 20 was accepted at seq 22: anti-replay is not enforced");
    }

    @Test
    void theProbeWorksOnAnEmptyLedger() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 10, 1, 0);

        Verification v = FederationVerifier.probe(rt.layout);

        assertThat(v.problems()).isEmpty();
        assertThat(v.detail()).startsWith("test batch accepted at seq 1 and chained; replay of the nonce of the test batch rejected");
    }

    @Test
    void missingDatabasesAreNamed() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 10, 1, 20);
        Files.delete(rt.layout.nonceStoreDb());

        assertThat(FederationVerifier.verify(rt.layout).problems())
                .containsExactly("nonce_store.db missing: " + rt.layout.nonceStoreDb());
        assertThat(FederationVerifier.probe(rt.layout).passed()).isFalse();
    }
}
