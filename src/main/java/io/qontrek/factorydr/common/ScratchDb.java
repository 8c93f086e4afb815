package io.qontrek.factorydr.common;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A private SQLite database on disk for state too big for the heap that needs lookups (paths seen,
 * files expected): "jdbc:sqlite:" without a name is a temporary database SQLite deletes when the
 * connection closes, and its file is unlinked from the start, so a killed process leaves nothing.
 * No journal and no syncs: the data dies with the connection anyway.
 */
public final class ScratchDb {
    private ScratchDb() {}

    /** A new scratch database holding {@code schema} (one statement), in a transaction the caller never commits. */
    public static Connection open(String schema) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:");
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=OFF");
            s.execute("PRAGMA synchronous=OFF");
            s.execute(schema);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        c.setAutoCommit(false);
        return c;
    }
}
