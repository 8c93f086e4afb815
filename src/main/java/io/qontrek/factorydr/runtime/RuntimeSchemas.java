package io.qontrek.factorydr.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The three SQLite tables of the runtime, verbatim from the contract (comments included: SQLite
 * keeps the statement text, so {@code .schema} on a database we create reads like the contract).
 */
public final class RuntimeSchemas {
    private RuntimeSchemas() {}

    /** {@code data/federation_ledger.db}. */
    public static final String LEDGER = """
            CREATE TABLE ledger (
              seq            INTEGER PRIMARY KEY,     -- 1, 2, 3 ... contiguous
              batch_id       TEXT NOT NULL UNIQUE,
              peer           TEXT NOT NULL,
              nonce          TEXT NOT NULL,
              payload_sha256 TEXT NOT NULL,
              received_at    TEXT NOT NULL,
              prev_hash      TEXT NOT NULL,           -- ZERO for seq 1, else entry_hash of seq - 1
              entry_hash     TEXT NOT NULL            -- see below
            )""";

    /** {@code data/nonce_store.db}. */
    public static final String NONCES =
            "CREATE TABLE nonces (nonce TEXT PRIMARY KEY, peer TEXT NOT NULL, first_seen TEXT NOT NULL)";

    /** {@code data/receipts.db}. */
    public static final String RECEIPTS = """
            CREATE TABLE receipts (proof_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, merkle_root TEXT NOT NULL,
                                   signature TEXT NOT NULL, issued_at TEXT NOT NULL, file TEXT NOT NULL)""";

    public static void createLedger(Connection db) throws SQLException {
        execute(db, LEDGER);
    }

    public static void createNonces(Connection db) throws SQLException {
        execute(db, NONCES);
    }

    public static void createReceipts(Connection db) throws SQLException {
        execute(db, RECEIPTS);
    }

    private static void execute(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute(sql);
        }
    }
}
