package io.qontrek.factorydr.runtime;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite connections for loading a fresh sample database fast: one transaction, no journal and no
 * fsync while loading (the file is new, a crash only loses the sample), a large page cache so index
 * inserts stay in memory.
 */
final class SampleDatabases {
    private SampleDatabases() {}

    static Connection openForBulkLoad(Path file) throws SQLException {
        Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement st = db.createStatement()) {
            st.execute("PRAGMA journal_mode=OFF");
            st.execute("PRAGMA synchronous=OFF");
            st.execute("PRAGMA cache_size=-262144");
        } catch (SQLException e) {
            db.close();
            throw e;
        }
        db.setAutoCommit(false);
        return db;
    }

    /** Leaves the database in WAL mode, as a live runtime keeps its ledger; the mode persists in the file. */
    static void switchToWal(Connection db) throws SQLException {
        db.setAutoCommit(true);
        try (Statement st = db.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
        }
    }
}
