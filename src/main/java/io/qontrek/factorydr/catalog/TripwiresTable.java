package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.catalog.Catalog.CatalogException;
import io.qontrek.factorydr.catalog.Catalog.Tripwire;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * One row per finding of a backup's tripwire (backup/ShrinkCheck): the backup that saw the runtime
 * shrink (its manifest names the finding), the backup taken before it, which retention keeps until an
 * operator acknowledges the finding ({@code factory-dr tripwire ack}), and when that happened. Created
 * by its first write, like proof_chain_checks: a catalog written before it existed reads as having no
 * tripwire. Rows stay when retention forgets either backup: they are history, and a hold outlives them.
 */
final class TripwiresTable {
    private static final String TRIPWIRES = """
            CREATE TABLE IF NOT EXISTS tripwires (
              id         INTEGER PRIMARY KEY,
              backup_id  TEXT NOT NULL,
              held       TEXT,
              raised_at  TEXT NOT NULL,
              finding    TEXT NOT NULL,
              acked_at   TEXT
            )""";

    private final CatalogDb db;

    TripwiresTable(CatalogDb db) {
        this.db = db;
    }

    boolean recordTripwiresIfAbsent(CatalogEntry e, List<String> findings) {
        if (findings.isEmpty()) return false;
        try (Connection c = db.open()) {
            c.setAutoCommit(false);
            boolean recorded = recordIfAbsent(c, e, findings);
            c.commit();
            return recorded;
        } catch (SQLException ex) {
            throw new CatalogException("cannot record the tripwire of " + e.backupId() + " in the catalog " + db.file + ": "
                    + ex.getMessage(), ex);
        }
    }

    /** {@link #recordTripwiresIfAbsent} in the caller's transaction. */
    static boolean recordIfAbsent(Connection c, CatalogEntry e, List<String> findings) throws SQLException {
        if (findings.isEmpty()) return false;
        if (CatalogDb.hasTable(c, "tripwires")) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tripwires WHERE backup_id = ? LIMIT 1")) {
                ps.setString(1, e.backupId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return false;
                }
            }
        }
        insert(c, e, findings);
        return true;
    }

    /** Writes a backup's findings, each held against the full or incremental before it, in the caller's transaction. */
    static void insert(Connection c, CatalogEntry e, List<String> findings) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate(TRIPWIRES);
        }
        String held = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT backup_id FROM archives WHERE type IN ('full', 'incremental') "
                + "AND created_at < ? AND backup_id <> ? ORDER BY created_at DESC, backup_id DESC LIMIT 1")) {
            ps.setString(1, e.createdAt());
            ps.setString(2, e.backupId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) held = rs.getString(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO tripwires (backup_id, held, raised_at, finding) VALUES (?,?,?,?)")) {
            for (String f : findings) {
                ps.setString(1, e.backupId());
                ps.setString(2, held);
                ps.setString(3, e.createdAt());
                ps.setString(4, f);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    List<Tripwire> tripwires(boolean all) {
        return tripwires(all ? "" : "WHERE acked_at IS NULL", null);
    }

    List<Tripwire> tripwiresOf(String backupId) {
        return tripwires("WHERE backup_id = ?", backupId);
    }

    private List<Tripwire> tripwires(String where, String arg) {
        if (!db.exists()) return List.of();
        try (Connection c = db.open()) {
            if (!CatalogDb.hasTable(c, "tripwires")) return List.of();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, backup_id, held, raised_at, finding, acked_at FROM tripwires " + where + " ORDER BY id")) {
                if (arg != null) ps.setString(1, arg);
                List<Tripwire> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Tripwire(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6)));
                    }
                }
                return out;
            }
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }

    int acknowledgeTripwires(String backupId, Instant at) {
        if (!db.exists()) return 0;
        try (Connection c = db.open()) {
            if (!CatalogDb.hasTable(c, "tripwires")) return 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE tripwires SET acked_at = ? WHERE backup_id = ? AND acked_at IS NULL")) {
                ps.setString(1, at.truncatedTo(ChronoUnit.SECONDS).toString());
                ps.setString(2, backupId);
                return ps.executeUpdate();
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot acknowledge the tripwire of " + backupId + " in the catalog " + db.file + ": "
                    + ex.getMessage(), ex);
        }
    }

    boolean tripwireRaisedSince(String finding, String since) {
        if (!db.exists()) return false;
        try (Connection c = db.open()) {
            if (!CatalogDb.hasTable(c, "tripwires")) return false;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tripwires t JOIN archives a ON a.backup_id = t.backup_id "
                    + "WHERE t.finding = ? AND a.created_at >= ? LIMIT 1")) {
                ps.setString(1, finding);
                ps.setString(2, since);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }
}
