package io.qontrek.factorydr.verify;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/** The SQLite connections this package opens: read-only for verifying, writable only for a probe or a rebuild. */
final class Sqlite {
    /** A live runtime may hold a write lock for a moment; wait rather than fail the check. */
    static final int BUSY_TIMEOUT_MS = 10_000;

    private Sqlite() {}

    /**
     * For reading only: {@code PRAGMA query_only} makes SQLite refuse any write on it, and a missing
     * file is an error rather than a new empty database. Not opened SQLITE_OPEN_READONLY on purpose:
     * a read-only connection to a WAL database creates -wal and -shm files it cannot remove on close,
     * so the data directory would not be left as it was found. Like any SQLite reader, the last
     * connection to close folds an already committed WAL into the database; the content is unchanged.
     */
    static Connection openReadOnly(Path db) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, config.toProperties());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA query_only = ON");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Writable, transactions begun IMMEDIATE (the write lock taken up front, so a probe never fails
     * half-way on a busy database), auto-commit off.
     */
    static Connection openForProbe(Path db) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, config.toProperties());
        c.setAutoCommit(false);
        return c;
    }

    /** A new database being built: no journal and no syncs while loading, since it is fsynced before it is used. */
    static Connection openForBuild(Path db) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.OFF);
        config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, config.toProperties());
        c.setAutoCommit(false);
        return c;
    }

    /** {@code PRAGMA integrity_check}: "ok", or SQLite's first complaint. */
    static String integrityCheck(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            return rs.next() ? rs.getString(1) : "no answer";
        }
    }

    static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
