package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.catalog.Catalog.CatalogException;
import io.qontrek.factorydr.common.OwnerOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * The catalog's file and its connections. Each call opens its own short connection, so the CLI and the
 * service can share the file (SQLite's busy timeout serialises writers); every connection makes sure the
 * base tables exist. The other tables are created by their first write ({@link ProofChainChecksTable},
 * {@link TripwiresTable}, {@link DatabaseHeadsTable}): a catalog written before they existed reads as
 * having none of their rows, even where it cannot be written.
 */
final class CatalogDb {
    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS archives (
              backup_id        TEXT PRIMARY KEY,
              type             TEXT NOT NULL,
              name             TEXT NOT NULL UNIQUE,
              created_at       TEXT NOT NULL,
              base             TEXT,
              size             INTEGER NOT NULL,
              sha256           TEXT NOT NULL,
              files            INTEGER NOT NULL,
              content_bytes    INTEGER NOT NULL,
              proof_head_seq   INTEGER,
              proof_head_root  TEXT,
              ledger_head_seq  INTEGER,
              ledger_head_hash TEXT,
              verified_at      TEXT,
              offsite_at       TEXT
            );
            CREATE TABLE IF NOT EXISTS archive_files (
              backup_id TEXT NOT NULL REFERENCES archives(backup_id) ON DELETE CASCADE,
              path      TEXT NOT NULL,
              size      INTEGER NOT NULL,
              sha256    TEXT NOT NULL,
              PRIMARY KEY (backup_id, path)
            );
            CREATE INDEX IF NOT EXISTS archive_files_path ON archive_files(path);
            CREATE TABLE IF NOT EXISTS runs (
              id          INTEGER PRIMARY KEY,
              flow        TEXT NOT NULL,
              started_at  TEXT NOT NULL,
              finished_at TEXT NOT NULL,
              outcome     TEXT NOT NULL,
              backup_id   TEXT,
              detail      TEXT
            );
            """;

    final Path file;

    CatalogDb(Path file) {
        this.file = file;
    }

    /** An absent catalog is an empty one: reads check this before opening, which would create it. */
    boolean exists() {
        return Files.exists(file);
    }

    /** The failure of a read, naming the catalog. */
    CatalogException readFailure(SQLException ex) {
        return new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
    }

    Connection open() throws SQLException {
        try {
            // the archive directory and the catalog are the owner's alone, whatever the umask; SQLite gives
            // the catalog's -wal, -shm and -journal files the catalog's own mode
            OwnerOnly.directories(file.getParent());
            OwnerOnly.tighten(file.getParent());
            if (!Files.exists(file)) {
                try {
                    OwnerOnly.createEmpty(file); // SQLite takes an empty file as a new database
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // created meanwhile by another run
                }
            }
            OwnerOnly.tighten(file);
        } catch (java.io.IOException e) {
            throw new CatalogException("cannot create " + file + ": " + e.getMessage(), e);
        }
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file + "?busy_timeout=30000&foreign_keys=true");
        try (Statement s = c.createStatement()) {
            for (String ddl : SCHEMA.split(";")) {
                if (!ddl.isBlank()) s.executeUpdate(ddl);
            }
        }
        return c;
    }

    static boolean hasTable(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.INTEGER);
        else ps.setLong(i, v);
    }

    static Long getLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }
}
