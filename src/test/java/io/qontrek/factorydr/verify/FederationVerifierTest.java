package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.LedgerEntry;
import io.qontrek.factorydr.runtime.LedgerHead;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * The runtime keeps writing while a probe walks a long ledger: a writer that will not wait at all
     * (busy timeout 0) commits a chained batch between the walk's chunks, in both journal modes the
     * contract allows, and the probe then chains its test batch after that row.
     */
    @ParameterizedTest
    @ValueSource(strings = {"WAL", "DELETE"})
    void theRuntimeWritesWhileTheProbeWalksTheLedger(String journalMode) throws Exception {
        int rows = LedgerChain.CHUNK_ROWS * 2 + 500;
        TestRuntime rt = TestRuntime.generate(tmp, 20, 1, rows);
        for (Path db : List.of(rt.layout.ledgerDb(), rt.layout.nonceStoreDb())) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=" + journalMode);
            }
        }
        List<Long> written = new ArrayList<>();

        Verification v = FederationVerifier.probe(rt.layout, () -> {
            try {
                written.add(writeOneBatchWithoutWaiting(rt));
            } catch (SQLException e) {
                throw new AssertionError("the runtime's write was refused during the probe's walk: " + e.getMessage(), e);
            }
        });

        assertThat(written).containsExactly((long) rows + 1, (long) rows + 2);
        assertThat(v.problems()).isEmpty();
        assertThat(v.detail()).startsWith("test batch accepted at seq " + (rows + 3) + " and chained");
        assertThat(TestRuntime.queryOne(rt.layout.ledgerDb(), "SELECT max(seq) FROM ledger")).isEqualTo(String.valueOf(rows + 2));
        assertThat(FederationVerifier.verify(rt.layout).passed()).isTrue();
    }

    /** One batch as the runtime accepts it, with a busy timeout of 0: any lock held elsewhere fails it. */
    private static long writeOneBatchWithoutWaiting(TestRuntime rt) throws SQLException {
        try (Connection ledger = DriverManager.getConnection("jdbc:sqlite:" + rt.layout.ledgerDb());
             Connection nonces = DriverManager.getConnection("jdbc:sqlite:" + rt.layout.nonceStoreDb())) {
            for (Connection c : List.of(ledger, nonces)) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA busy_timeout=0");
                }
            }
            String nonce = "runtime-" + System.nanoTime();
            try (PreparedStatement insert = nonces.prepareStatement("INSERT INTO nonces (nonce, peer, first_seen) VALUES (?, 'peer-a', '2026-01-01T00:00:00Z')")) {
                insert.setString(1, nonce);
                insert.executeUpdate();
            }
            LedgerHead head;
            try (Statement s = ledger.createStatement();
                 ResultSet r = s.executeQuery("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
                r.next();
                head = new LedgerHead(r.getLong(1), r.getString(2));
            }
            LedgerEntry e = LedgerEntry.chained(head.entryHash(), head.seq() + 1, "batch-" + nonce, "peer-a", nonce,
                    "ab".repeat(32), "2026-01-01T00:00:00Z");
            try (PreparedStatement insert = ledger.prepareStatement(LedgerEntry.INSERT)) {
                e.bind(insert);
                insert.executeUpdate();
            }
            return e.seq();
        }
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
