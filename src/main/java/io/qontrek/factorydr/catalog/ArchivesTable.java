package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.catalog.Catalog.CatalogException;
import io.qontrek.factorydr.catalog.Catalog.FileRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The archives table, one row per archive, and its file lists (archive_files, one row per file of each
 * archive): what {@link Catalog#record} writes in one transaction, with the archive's database heads
 * and tripwires, and what the archive queries read.
 */
final class ArchivesTable {
    private final CatalogDb db;

    ArchivesTable(CatalogDb db) {
        this.db = db;
    }

    boolean insert(CatalogEntry e, Iterable<FileRow> files, List<Manifest.Database> databases,
            List<String> tripwires, boolean ifAbsent) {
        try (Connection c = db.open()) {
            c.setAutoCommit(false);
            if (!insert(c, e, files, databases, tripwires, ifAbsent)) {
                c.rollback();
                return false;
            }
            c.commit();
            return true;
        } catch (SQLException ex) {
            throw new CatalogException("cannot record " + e.name() + " in the catalog " + db.file + ": " + ex.getMessage(), ex);
        }
    }

    /** The same in the caller's transaction; false (nothing written) where ifAbsent and the archive is known. */
    static boolean insert(Connection c, CatalogEntry e, Iterable<FileRow> files, List<Manifest.Database> databases,
            List<String> tripwires, boolean ifAbsent) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT " + (ifAbsent ? "OR IGNORE " : "") + """
                INTO archives (backup_id, type, name, created_at, base, size, sha256, files, content_bytes,
                  proof_head_seq, proof_head_root, ledger_head_seq, ledger_head_hash, verified_at, offsite_at)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""")) {
            ps.setString(1, e.backupId());
            ps.setString(2, e.type());
            ps.setString(3, e.name());
            ps.setString(4, e.createdAt());
            ps.setString(5, e.base());
            ps.setLong(6, e.size());
            ps.setString(7, e.sha256());
            ps.setInt(8, e.files());
            ps.setLong(9, e.contentBytes());
            CatalogDb.setLong(ps, 10, e.proofHeadSeq());
            ps.setString(11, e.proofHeadRoot());
            CatalogDb.setLong(ps, 12, e.ledgerHeadSeq());
            ps.setString(13, e.ledgerHeadHash());
            ps.setString(14, e.verifiedAt());
            ps.setString(15, e.offsiteAt());
            if (ps.executeUpdate() == 0) return false;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO archive_files (backup_id, path, size, sha256) VALUES (?,?,?,?)")) {
            int batched = 0;
            for (FileRow f : files) {
                ps.setString(1, e.backupId());
                ps.setString(2, f.path());
                ps.setLong(3, f.size());
                ps.setString(4, f.sha256());
                ps.addBatch();
                // sqlite-jdbc holds a batch in memory: a million rows in one would be a million objects
                if (++batched % 10_000 == 0) ps.executeBatch();
            }
            ps.executeBatch();
        }
        if (databases != null && !databases.isEmpty()) DatabaseHeadsTable.insert(c, e.backupId(), databases);
        if (!tripwires.isEmpty()) TripwiresTable.insert(c, e, tripwires);
        return true;
    }

    List<CatalogEntry> archives() {
        if (!db.exists()) return List.of();
        return query("SELECT * FROM archives ORDER BY created_at, backup_id", null);
    }

    List<CatalogEntry> notOffsite() {
        if (!db.exists()) return List.of();
        return query("SELECT * FROM archives WHERE offsite_at IS NULL ORDER BY created_at, backup_id", null);
    }

    boolean markOffsite(String name, Instant at) {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement("UPDATE archives SET offsite_at = ? WHERE name = ?")) {
            ps.setString(1, at.truncatedTo(ChronoUnit.SECONDS).toString());
            ps.setString(2, name);
            return ps.executeUpdate() == 1;
        } catch (SQLException ex) {
            throw new CatalogException("cannot record the offsite copy of " + name + " in the catalog " + db.file + ": " + ex.getMessage(), ex);
        }
    }

    boolean forget(String backupId) {
        try (Connection c = db.open()) {
            c.setAutoCommit(false);
            try (PreparedStatement files = c.prepareStatement("DELETE FROM archive_files WHERE backup_id = ?");
                 PreparedStatement archive = c.prepareStatement("DELETE FROM archives WHERE backup_id = ?")) {
                files.setString(1, backupId);
                files.executeUpdate();
                archive.setString(1, backupId);
                boolean known = archive.executeUpdate() == 1;
                c.commit();
                return known;
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot forget " + backupId + " in the catalog " + db.file + ": " + ex.getMessage(), ex);
        }
    }

    Optional<CatalogEntry> byName(String name) {
        if (!db.exists()) return Optional.empty();
        return query("SELECT * FROM archives WHERE name = ?", name).stream().findFirst();
    }

    Optional<CatalogEntry> newest(Set<String> types) {
        return archives().stream().filter(e -> types.contains(e.type())).reduce((a, b) -> b);
    }

    private List<CatalogEntry> query(String sql, String arg) {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) ps.setString(1, arg);
            List<CatalogEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CatalogEntry(rs.getString("backup_id"), rs.getString("type"), rs.getString("name"),
                            rs.getString("created_at"), rs.getString("base"), rs.getLong("size"), rs.getString("sha256"),
                            rs.getInt("files"), rs.getLong("content_bytes"), CatalogDb.getLong(rs, "proof_head_seq"),
                            rs.getString("proof_head_root"), CatalogDb.getLong(rs, "ledger_head_seq"),
                            rs.getString("ledger_head_hash"), rs.getString("verified_at"), rs.getString("offsite_at")));
                }
            }
            return out;
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }
}
