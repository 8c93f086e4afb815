package io.qontrek.factorydr.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerEntryTest {
    private static final String PAYLOAD = "f".repeat(64);

    @Test
    void entryHashChainsPrevHashAndTheRowsFieldsJoinedByBars() throws Exception {
        String hash = LedgerEntry.entryHash(Reference.zero(), 1, "b-000000000001", "factory-penang", "n1", PAYLOAD,
                "2025-10-23T14:00:00Z");

        assertThat(hash).isEqualTo(Reference.sha256(Reference.zero()
                + "|1|b-000000000001|factory-penang|n1|" + PAYLOAD + "|2025-10-23T14:00:00Z"));
    }

    @Test
    void seqIsPlainDecimal() throws Exception {
        LedgerEntry e = LedgerEntry.chained("a".repeat(64), 1234567, "b", "p", "n", PAYLOAD, "t");
        assertThat(e.entryHash()).isEqualTo(Reference.sha256("a".repeat(64) + "|1234567|b|p|n|" + PAYLOAD + "|t"));
        assertThat(e.computedEntryHash()).isEqualTo(e.entryHash());
    }

    @Test
    void schemasCreateTheContractsTablesAndRowsReadBack(@TempDir Path dir) throws Exception {
        LedgerEntry entry = LedgerEntry.chained(Reference.zero(), 1, "b-1", "factory-jb", "n-1", PAYLOAD,
                "2025-10-23T14:00:00Z");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"))) {
            RuntimeSchemas.createLedger(db);
            RuntimeSchemas.createNonces(db);
            RuntimeSchemas.createReceipts(db);
            try (PreparedStatement insert = db.prepareStatement(
                    LedgerEntry.INSERT)) {
                entry.bind(insert);
                insert.executeUpdate();
            }
            try (Statement st = db.createStatement();
                 ResultSet rows = st.executeQuery("SELECT " + LedgerEntry.COLUMNS + " FROM ledger")) {
                assertThat(rows.next()).isTrue();
                assertThat(LedgerEntry.fromRow(rows)).isEqualTo(entry);
            }
            try (Statement st = db.createStatement();
                 ResultSet rows = st.executeQuery("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString("sql")).isEqualTo(RuntimeSchemas.LEDGER).contains("batch_id       TEXT NOT NULL UNIQUE");
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString("sql")).isEqualTo(RuntimeSchemas.NONCES);
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString("sql")).isEqualTo(RuntimeSchemas.RECEIPTS);
            }
        }
    }
}
