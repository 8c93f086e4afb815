package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.runtime.LedgerEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RebuildTest {
    @TempDir
    Path tmp;

    @Test
    void aDeletedNonceStoreIsRebuiltFromTheLedger() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        Files.delete(rt.layout.nonceStoreDb());
        assertThat(FederationVerifier.verify(rt.layout).passed()).isFalse();

        Rebuild.Rebuilt r = Rebuild.nonces(rt.layout);

        assertThat(r).isEqualTo(new Rebuild.Rebuilt(rt.layout.nonceStoreDb(), 400, 400));
        assertThat(FederationVerifier.verify(rt.layout).problems()).isEmpty();
        assertThat(FederationVerifier.probe(rt.layout).passed()).isTrue();
        assertThat(sqlite3IntegrityCheck(rt.layout.nonceStoreDb())).isEqualTo("ok");
        assertThat(TestRuntime.queryOne(rt.layout.nonceStoreDb(), "SELECT sql FROM sqlite_master WHERE name = 'nonces'"))
                .isEqualTo(io.qontrek.factorydr.runtime.RuntimeSchemas.NONCES);
        assertNoTemporaryFiles(rt);
    }

    @Test
    void aRepeatedNonceKeepsItsEarliestPeerAndTime() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 10, 1, 20);
        Path ledger = rt.layout.ledgerDb();
        String nonce = TestRuntime.queryOne(ledger, "SELECT nonce FROM ledger WHERE seq = 5");
        String peer = TestRuntime.queryOne(ledger, "SELECT peer FROM ledger WHERE seq = 5");
        String at = TestRuntime.queryOne(ledger, "SELECT received_at FROM ledger WHERE seq = 5");
        LedgerEntry again = LedgerEntry.chained(rt.summary.ledgerHead().entryHash(), 21, "batch-again", "factory-elsewhere",
                nonce, "ab".repeat(32), "2099-01-01T00:00:00Z");
        TestRuntime.sql(ledger, "INSERT INTO ledger (" + LedgerEntry.COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                again.seq(), again.batchId(), again.peer(), again.nonce(), again.payloadSha256(), again.receivedAt(),
                again.prevHash(), again.entryHash());

        Rebuild.Rebuilt r = Rebuild.nonces(rt.layout);

        assertThat(r.rows()).isEqualTo(20);
        assertThat(r.sourceItems()).isEqualTo(21);
        assertThat(TestRuntime.queryOne(rt.layout.nonceStoreDb(), "SELECT peer || ' ' || first_seen FROM nonces WHERE nonce = ?", nonce))
                .isEqualTo(peer + " " + at);
    }

    @Test
    void staleWalAndShmOfTheOldDatabaseAreRemoved() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 10, 1, 20);
        Path live = rt.layout.nonceStoreDb();
        // What an old WAL left beside the live file would otherwise replay into the new one.
        Files.write(Path.of(live + "-wal"), "stale wal".getBytes(StandardCharsets.UTF_8));
        Files.write(Path.of(live + "-shm"), "stale shm".getBytes(StandardCharsets.UTF_8));

        Rebuild.nonces(rt.layout);

        assertThat(Path.of(live + "-wal")).doesNotExist();
        assertThat(Path.of(live + "-shm")).doesNotExist();
        assertThat(FederationVerifier.verify(rt.layout).passed()).isTrue();
    }

    @Test
    void aDeletedReceiptIndexIsRebuiltFromTheProofFiles() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        Path db = rt.layout.receiptsDb();
        List<String> generatedRows = rows(db);
        Files.delete(db);

        Rebuild.Rebuilt r = Rebuild.receipts(rt.layout);

        assertThat(r).isEqualTo(new Rebuild.Rebuilt(db, 300, 300));
        assertThat(rows(db)).isEqualTo(generatedRows);
        assertThat(ReceiptVerifier.verify(rt.layout, TestRuntime.towerSecret()).problems()).isEmpty();
        assertThat(sqlite3IntegrityCheck(db)).isEqualTo("ok");
        assertNoTemporaryFiles(rt);
    }

    @Test
    void anUnreadableProofFailsTheRebuildAndLeavesTheLiveIndexAlone() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 20, 1, 0);
        Map<String, String> before = TestRuntime.fingerprint(rt.layout.dataDir());
        Files.writeString(rt.proof(7), "{ not json");

        assertThatThrownBy(() -> Rebuild.receipts(rt.layout))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("proof-000000000007.json: not valid JSON");

        assertThat(TestRuntime.fingerprint(rt.layout.dataDir())).isEqualTo(before);
    }

    @Test
    void verifiersLeaveTheRuntimeAsTheyFoundIt() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        Map<String, String> before = TestRuntime.fingerprint(rt.root);

        assertThat(ProofChainVerifier.verify(rt.layout).passed()).isTrue();
        assertThat(ReceiptVerifier.verify(rt.layout, TestRuntime.towerSecret()).passed()).isTrue();
        assertThat(DigestVerifier.verify(rt.layout).passed()).isTrue();
        assertThat(FederationVerifier.verify(rt.layout).passed()).isTrue();
        assertThat(FederationVerifier.probe(rt.layout).passed()).isTrue();

        assertThat(TestRuntime.fingerprint(rt.root)).isEqualTo(before);
    }

    private static List<String> rows(Path db) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             var s = c.createStatement();
             var rs = s.executeQuery("SELECT proof_id, seq, merkle_root, signature, issued_at, file FROM receipts ORDER BY seq")) {
            List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getString(5) + "|" + rs.getString(6));
            }
            return out;
        }
    }

    private static void assertNoTemporaryFiles(TestRuntime rt) throws IOException {
        try (Stream<Path> files = Files.list(rt.layout.dataDir())) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.contains(".rebuild-"));
        }
    }

    /** The stock sqlite3 program's opinion, not our driver's. */
    private static String sqlite3IntegrityCheck(Path db) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/sqlite3", db.toString(), "PRAGMA integrity_check").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
