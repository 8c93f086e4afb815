package io.qontrek.factorydr.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog.ProofChainCheck;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog's record of proof chain verdicts, which the proof-chain gate reads instead of proof/. */
class ProofChainChecksTest {
    @TempDir Path dir;

    private static ProofChainCheck check(String at, boolean passed, String from, String to) {
        return new ProofChainCheck("verify-proofs", at, passed, from, to, 1_000_000, 0L, 999_999L, 999_999L, "e".repeat(64),
                passed ? "proof chain continuous: seq 0..999999, 1000000 proofs" : "seq 17 missing");
    }

    private static boolean hasTable(Path db, String table) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'")) {
            return rs.next();
        }
    }

    @Test
    void aVerdictIsReadBackAsRecorded() {
        Catalog c = new Catalog(dir.resolve("archive/catalog.db"));
        assertThat(c.newestProofChainEvidence()).as("no catalog file yet").isEmpty();
        ProofChainCheck k = check("2025-10-26T05:01:40Z", true, null, null);
        c.recordProofChainCheck(k);
        assertThat(c.newestProofChainEvidence()).contains(k);
        assertThat(k.wholeChain()).isTrue();
        ProofChainCheck noHead = new ProofChainCheck("verify-daily", "2025-10-27T05:00:03Z", false, null, null, 0, null, null, null,
                null, "proof directory /proof does not exist");
        c.recordProofChainCheck(noHead);
        assertThat(c.newestProofChainEvidence()).contains(noHead);
    }

    @Test
    void theNewestEvidenceIsTheNewestWholeChainCheckOrTheNewestBreak_aPassedRangeIsSkipped() {
        Catalog c = new Catalog(dir.resolve("catalog.db"));
        ProofChainCheck whole = check("2025-10-26T05:00:00Z", true, null, null);
        c.recordProofChainCheck(whole);
        c.recordProofChainCheck(check("2025-10-26T06:00:00Z", true, "2025-10-20", "2025-10-21"));
        c.recordProofChainCheck(check("2025-10-26T07:00:00Z", true, null, "2025-10-21"));
        assertThat(c.newestProofChainEvidence()).contains(whole);

        ProofChainCheck brokenRange = check("2025-10-26T08:00:00Z", false, "2025-10-20", null);
        c.recordProofChainCheck(brokenRange);
        assertThat(c.newestProofChainEvidence()).contains(brokenRange);

        ProofChainCheck wholeAgain = check("2025-10-26T09:00:00Z", true, null, null);
        c.recordProofChainCheck(wholeAgain);
        assertThat(c.newestProofChainEvidence()).contains(wholeAgain);
    }

    @Test
    void aCatalogFromBeforeTheRecordReadsAsHavingNoCheck_withoutBeingWritten_andGainsTheTableAtItsFirstCheck() throws Exception {
        Path db = dir.resolve("catalog.db");
        // the catalog schema as it was before proof_chain_checks, with a history in it
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = conn.createStatement()) {
            s.executeUpdate("""
                    CREATE TABLE archives (backup_id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL UNIQUE,
                      created_at TEXT NOT NULL, base TEXT, size INTEGER NOT NULL, sha256 TEXT NOT NULL, files INTEGER NOT NULL,
                      content_bytes INTEGER NOT NULL, proof_head_seq INTEGER, proof_head_root TEXT, ledger_head_seq INTEGER,
                      ledger_head_hash TEXT, verified_at TEXT, offsite_at TEXT)""");
            s.executeUpdate("""
                    CREATE TABLE archive_files (backup_id TEXT NOT NULL REFERENCES archives(backup_id) ON DELETE CASCADE,
                      path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (backup_id, path))""");
            s.executeUpdate("CREATE INDEX archive_files_path ON archive_files(path)");
            s.executeUpdate("""
                    CREATE TABLE runs (id INTEGER PRIMARY KEY, flow TEXT NOT NULL, started_at TEXT NOT NULL,
                      finished_at TEXT NOT NULL, outcome TEXT NOT NULL, backup_id TEXT, detail TEXT)""");
            s.executeUpdate("INSERT INTO runs (flow, started_at, finished_at, outcome) "
                    + "VALUES ('verify-proofs', '2025-10-26T05:00:00Z', '2025-10-26T05:01:40Z', 'ok')");
        }
        Catalog c = new Catalog(db);
        assertThat(c.newestProofChainEvidence()).isEmpty();
        assertThat(hasTable(db, "proof_chain_checks")).as("reading creates nothing, so a catalog it cannot write reads too").isFalse();
        assertThat(c.runs("verify-proofs")).hasSize(1);

        ProofChainCheck k = check("2025-10-27T05:01:40Z", true, null, null);
        c.recordProofChainCheck(k);
        assertThat(hasTable(db, "proof_chain_checks")).isTrue();
        assertThat(c.newestProofChainEvidence()).contains(k);
        assertThat(c.flowRuns().get("verify-proofs").count("ok")).as("the history is kept").isEqualTo(1);
    }
}
