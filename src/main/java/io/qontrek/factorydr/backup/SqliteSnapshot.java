package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A consistent copy of a live SQLite database, taken with {@code VACUUM INTO}: one read
 * transaction, so the copy is the database at one point in time while writers carry on (WAL or
 * rollback journal alike), and the copy is a single self-contained file. Never a file copy: a
 * copied WAL database silently loses the rows still in its -wal file. The online backup API is
 * not used because it restarts on every concurrent write and may never finish under load.
 */
public final class SqliteSnapshot {
    private SqliteSnapshot() {}

    /** Snapshots {@code live} into {@code target} (which must not exist) and checks the copy's integrity. */
    public static Path take(Path live, Path target, int busyTimeoutSeconds) throws IOException {
        if (!Files.isRegularFile(live)) {
            throw new IOException("database " + live + " is missing");
        }
        if (!Files.isReadable(live)) {
            throw new ConfigException("database " + live + " is not readable");
        }
        if (Files.exists(target)) {
            throw new IOException("snapshot target " + target + " already exists");
        }
        String url = "jdbc:sqlite:" + live + "?busy_timeout=" + (busyTimeoutSeconds * 1000L);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("VACUUM INTO '" + target.toString().replace("'", "''") + "'");
        } catch (SQLException e) {
            Files.deleteIfExists(target);
            throw new IOException("cannot snapshot " + live + ": " + e.getMessage(), e);
        }
        String check = integrityCheck(target);
        if (!check.equals("ok")) {
            Files.deleteIfExists(target);
            throw new IOException("snapshot of " + live + " fails integrity_check: " + check);
        }
        return target;
    }

    /** {@code PRAGMA integrity_check}: "ok", or the first problem SQLite reports. */
    public static String integrityCheck(Path db) throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            return rs.next() ? rs.getString(1) : "no answer";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /** The newest ledger entry of a ledger database, or null when the ledger is empty. */
    public static BackupSet.Head ledgerHead(Path ledgerDb) throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledgerDb);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
            return rs.next() ? new BackupSet.Head(rs.getLong(1), rs.getString(2)) : null;
        } catch (SQLException e) {
            throw new IOException("cannot read the ledger head of " + ledgerDb + ": " + e.getMessage(), e);
        }
    }
}
