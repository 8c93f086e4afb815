package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.catalog.Catalog.DatabaseHeads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each full or incremental holds of each database (its manifest's {@code databases}), so that
 * the next incremental takes only the rows above the newest head, and the RPO of each database is
 * known. Created by its first write, like proof_chain_checks: archives written before databases
 * were named have no rows here (a full still covers every database; such an incremental none).
 */
final class DatabaseHeadsTable {
    private static final String DATABASE_HEADS = """
            CREATE TABLE IF NOT EXISTS database_heads (
              backup_id       TEXT NOT NULL REFERENCES archives(backup_id) ON DELETE CASCADE,
              name            TEXT NOT NULL,
              form            TEXT NOT NULL,
              rows            INTEGER NOT NULL,
              head_rowid      INTEGER NOT NULL,
              head_rows       INTEGER NOT NULL,
              head_last_row   TEXT,
              why             TEXT,
              PRIMARY KEY (backup_id, name)
            )""";

    private final CatalogDb db;
    private final ArchivesTable archives;

    DatabaseHeadsTable(CatalogDb db, ArchivesTable archives) {
        this.db = db;
        this.archives = archives;
    }

    /** Writes an archive's database heads, in the caller's transaction. */
    static void insert(Connection c, String backupId, List<Manifest.Database> databases) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate(DATABASE_HEADS);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO database_heads (backup_id, name, form, rows, head_rowid, head_rows, head_last_row, why)
                VALUES (?,?,?,?,?,?,?,?)""")) {
            for (Manifest.Database d : databases) {
                ps.setString(1, backupId);
                ps.setString(2, d.name());
                ps.setString(3, d.form().wire());
                ps.setLong(4, d.rows());
                ps.setLong(5, d.head().rowid());
                ps.setLong(6, d.head().rows());
                ps.setString(7, d.head().lastRowSha256());
                ps.setString(8, d.why());
                ps.executeUpdate();
            }
        }
    }

    DatabaseHeads newestDatabaseHeads() {
        Optional<CatalogEntry> newest = archives.newest(Set.of("full", "incremental"));
        if (newest.isEmpty()) return new DatabaseHeads(null, Map.of());
        String id = newest.get().backupId();
        Map<String, Manifest.TableHead> heads = new LinkedHashMap<>();
        try (Connection c = db.open()) {
            if (CatalogDb.hasTable(c, "database_heads")) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT name, head_rowid, head_rows, head_last_row FROM database_heads WHERE backup_id = ? ORDER BY rowid")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            heads.put(rs.getString(1), new Manifest.TableHead(rs.getLong(2),
                                    rs.getLong(3), rs.getString(4)));
                        }
                    }
                }
            }
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
        return new DatabaseHeads(id, heads);
    }

    Map<String, Set<String>> databasesRecorded() {
        Map<String, Set<String>> out = new HashMap<>();
        if (!db.exists()) return out;
        try (Connection c = db.open()) {
            if (!CatalogDb.hasTable(c, "database_heads")) return out;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT backup_id, name FROM database_heads")) {
                while (rs.next()) out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
            }
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
        return out;
    }
}
