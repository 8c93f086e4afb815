package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.runtime.LedgerEntry;
import io.qontrek.factorydr.runtime.LedgerLink;
import io.qontrek.factorydr.runtime.RuntimeDatabase;
import io.qontrek.factorydr.runtime.TableHeads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What one live database gained since an incremental's base (runtime contract, "Archives"): the rows
 * above the base's head, in a new SQLite file {@code <name>.delta.db} with the same table, so that
 * stock sqlite3 applies it with {@code INSERT INTO t SELECT * FROM d.t}. Everything is read in one
 * read transaction: the check that the table still is its base below the head, the rows above it and
 * the new head are one point in time while the runtime goes on writing. For the ledger the new rows
 * must also continue its hash chain from the base's head entry, checked before the delta is kept.
 *
 * <p>When the table changed below the head (rows removed or rewritten), its new rows break the
 * chain, or the base recorded no head, the database is taken whole instead ({@link SqliteSnapshot}),
 * and the manifest's {@code why} says so: the archive is still what restores it.
 */
public final class DatabaseDelta {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DatabaseDelta.class);

    private DatabaseDelta() {}

    /**
     * The database as the archive holds it, and the file that goes in at {@code database.path()};
     * for the ledger, its newest entry at that point (null when empty or another database).
     */
    public record Taken(Manifest.Database database, Path file, BackupSet.Head ledgerHead) {}

    /**
     * @param base the head the base archive recorded, or null (then the database is taken whole,
     *     {@code noBase} saying why)
     */
    public static Taken take(RuntimeDatabase db, Path live, Manifest.TableHead base, String noBase, Path workDir,
            int busyTimeoutSeconds) throws IOException {
        SqliteSnapshot.refuseEarly(live, workDir.resolve(db.deltaFileName()));
        String why = noBase;
        if (base != null) {
            Path file = workDir.resolve(db.deltaFileName());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live + "?busy_timeout=" + busyTimeoutSeconds * 1000L)) {
                c.setAutoCommit(false); // one read transaction: check, rows and head at one point
                try {
                    why = TableHeads.changedBelow(c, db.table(), base);
                    if (why == null) {
                        long rows = copyAbove(c, db, base, file);
                        // within the one transaction: the base's rows (just counted) and every row above its rowid
                        Manifest.TableHead head = TableHeads.above(c, db.table(), base, rows);
                        return new Taken(new Manifest.Database(db.dbName(), Manifest.Database.Form.DELTA,
                                Manifest.Database.path(db.dbName(), Manifest.Database.Form.DELTA), rows, base, head, null), file,
                                db == RuntimeDatabase.FEDERATION_LEDGER ? ledgerHead(c) : null);
                    }
                } catch (ChainBreak e) {
                    why = e.getMessage();
                    LOG.warn("{}: the rows added since the base break the chain, so it is taken whole: {}", live, why);
                } finally {
                    c.rollback(); // nothing was written: this only ends the read transaction
                }
            } catch (SQLException e) {
                throw new IOException("cannot read what " + live + " gained since the base: " + e.getMessage(), e);
            } finally {
                if (why != null) Files.deleteIfExists(file);
            }
        }
        LOG.info("{} is taken whole: {}", db.fileName(), why);
        Path file = SqliteSnapshot.take(live, workDir.resolve(db.fileName()), busyTimeoutSeconds);
        Manifest.TableHead head = head(file, db);
        return new Taken(new Manifest.Database(db.dbName(), Manifest.Database.Form.WHOLE,
                Manifest.Database.path(db.dbName(), Manifest.Database.Form.WHOLE), head.rows(), base, head, why), file,
                db == RuntimeDatabase.FEDERATION_LEDGER ? SqliteSnapshot.ledgerHead(file) : null);
    }

    private static BackupSet.Head ledgerHead(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
            return rs.next() ? new BackupSet.Head(rs.getLong(1), rs.getString(2)) : null;
        }
    }

    /** The head of a database file's table (a snapshot just taken). */
    public static Manifest.TableHead head(Path file, RuntimeDatabase db) throws IOException {
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.setReadOnly(true); // a copy being archived: nothing may change its bytes
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties())) {
            return TableHeads.of(c, db.table());
        } catch (SQLException e) {
            throw new IOException("cannot read the head of " + file + ": " + e.getMessage(), e);
        }
    }

    /** The table's new rows broke the ledger chain: the delta is not kept. */
    private static final class ChainBreak extends Exception {
        ChainBreak(String message) {
            super(message);
        }
    }

    /** Copies the rows above {@code base.rowid} into a new file holding the same table; their count. */
    private static long copyAbove(Connection live, RuntimeDatabase db, Manifest.TableHead base, Path file)
            throws SQLException, ChainBreak {
        List<String> columns = TableHeads.columns(live, db.table());
        StringBuilder cols = new StringBuilder();
        for (String col : columns) cols.append(cols.length() == 0 ? "" : ", ").append(TableHeads.identifier(col));
        String table = TableHeads.identifier(db.table());
        LedgerChainFollower chain = db == RuntimeDatabase.FEDERATION_LEDGER ? new LedgerChainFollower(live, base, columns) : null;
        long rows = 0;
        try {
            OwnerOnly.createEmpty(file); // rows of a runtime database, in plaintext: 0600 from the start
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create " + file + ": " + e.getMessage(), e);
        }
        try (Connection out = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = out.createStatement()) {
                for (String ddl : schema(live, db.table())) s.execute(ddl);
            }
            out.setAutoCommit(false);
            String marks = "?" + ", ?".repeat(columns.size() - 1);
            try (PreparedStatement read = live.prepareStatement("SELECT " + cols + " FROM " + table + " WHERE rowid > ? ORDER BY rowid");
                    PreparedStatement write = out.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")")) {
                read.setLong(1, base.rowid());
                try (ResultSet rs = read.executeQuery()) {
                    Object[] row = new Object[columns.size()];
                    while (rs.next()) {
                        for (int i = 0; i < row.length; i++) {
                            row[i] = rs.getObject(i + 1);
                            write.setObject(i + 1, row[i]);
                        }
                        if (chain != null) chain.follow(row);
                        write.addBatch();
                        if (++rows % 10_000 == 0) write.executeBatch();
                    }
                }
                write.executeBatch();
            }
            out.commit();
        }
        return rows;
    }

    /** The CREATE statements of the table and its indexes, as the live database holds them. */
    private static List<String> schema(Connection live, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = live.prepareStatement(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index') AND sql IS NOT NULL"
                        + " ORDER BY type = 'table' DESC, name")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Checks, row by row, that the ledger's new rows continue its chain from the base's head entry. */
    private static final class LedgerChainFollower {
        private final int[] at = new int[8];
        private final LedgerLink link;

        LedgerChainFollower(Connection live, Manifest.TableHead base, List<String> columns) throws SQLException, ChainBreak {
            String[] names = LedgerEntry.COLUMNS.split(", ");
            for (int i = 0; i < names.length; i++) {
                at[i] = columns.indexOf(names[i]);
                if (at[i] < 0) throw new ChainBreak("the ledger has no column " + names[i]);
            }
            String head = io.qontrek.factorydr.common.Hex.ZERO;
            if (base.rows() > 0) {
                try (PreparedStatement ps = live.prepareStatement("SELECT entry_hash FROM ledger WHERE seq = ?")) {
                    ps.setLong(1, base.rowid());
                    try (ResultSet rs = ps.executeQuery()) {
                        head = rs.next() ? rs.getString(1) : null;
                    }
                }
            }
            link = new LedgerLink(base.rowid(), head);
        }

        void follow(Object[] row) throws ChainBreak {
            LedgerEntry e = new LedgerEntry(((Number) row[at[0]]).longValue(), (String) row[at[1]], (String) row[at[2]],
                    (String) row[at[3]], (String) row[at[4]], (String) row[at[5]], (String) row[at[6]], (String) row[at[7]]);
            String why = link.follow(e);
            if (why != null) throw new ChainBreak(why);
        }
    }
}
