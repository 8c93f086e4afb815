package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.catalog.Catalog.FileRow;
import io.qontrek.factorydr.catalog.Catalog.Recorded;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The archive_files table read back: which archive holds which file, for incrementals, restores and rebuilds. */
final class ArchiveFilesTable {
    private final CatalogDb db;

    ArchiveFilesTable(CatalogDb db) {
        this.db = db;
    }

    Catalog.LatestFiles latestFiles(String prefix) {
        if (!db.exists()) return new Catalog.LatestFiles(null, List.of(), List.of(), prefix.length());
        Connection c = null;
        try {
            c = db.open();
            List<String> ids = new ArrayList<>();
            try (PreparedStatement archives = c.prepareStatement("SELECT backup_id FROM archives WHERE created_at >= "
                    + "COALESCE((SELECT max(created_at) FROM archives WHERE type = 'full'), '') ORDER BY created_at, backup_id");
                 ResultSet rs = archives.executeQuery()) {
                while (rs.next()) ids.add(rs.getString(1));
            }
            List<PreparedStatement> cursors = new ArrayList<>();
            for (String id : ids) {
                PreparedStatement rows = c.prepareStatement("SELECT path, size, sha256 FROM archive_files "
                        + "WHERE backup_id = ? AND path >= ? AND path < ? ORDER BY path");
                rows.setString(1, id);
                rows.setString(2, prefix);
                rows.setString(3, prefix + Character.MAX_VALUE);
                cursors.add(rows);
            }
            return new Catalog.LatestFiles(c, ids, cursors, prefix.length());
        } catch (SQLException ex) {
            try {
                if (c != null) c.close();
            } catch (SQLException ignored) {
                // the failure below is the one to report
            }
            throw db.readFailure(ex);
        }
    }

    Optional<Recorded> newestCopy(String path, String before) {
        if (!db.exists()) return Optional.empty();
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement("SELECT f.size, f.sha256, a.backup_id FROM archive_files f "
                + "JOIN archives a ON a.backup_id = f.backup_id WHERE f.path = ? AND a.created_at < ? "
                + "ORDER BY a.created_at DESC, a.backup_id DESC LIMIT 1")) {
            ps.setString(1, path);
            ps.setString(2, before);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Recorded(path, rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }

    List<FileRow> files(String backupId) {
        List<FileRow> out = new ArrayList<>();
        forEachFile(backupId, out::add);
        return out;
    }

    void forEachFile(String backupId, Consumer<FileRow> each) {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT path, size, sha256 FROM archive_files WHERE backup_id = ? ORDER BY path")) {
            ps.setString(1, backupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) each.accept(new FileRow(rs.getString(1), rs.getLong(2), rs.getString(3)));
            }
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }
}
