package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.common.Hex;
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
import java.util.Map;

/**
 * Applies an incremental's database deltas ({@code data/<name>.delta.db}) to the staged copies that
 * the archives before it restored, the mirror of {@code backup.DatabaseDelta}: what stock sqlite3 does
 * with {@code ATTACH ... INSERT INTO t SELECT * FROM d.t}, with proof first. A delta is applied only
 * when the staged copy is exactly the delta's base (same row count, same last row) and, for the
 * ledger, when its entries continue the staged chain from its head; otherwise the restore is refused
 * with one line naming the archive, since an archive between them is missing or the delta is not
 * what was backed up. After applying, the staged copy must reach the delta's head. The delta file is
 * then deleted: it never becomes part of the restored runtime. Everything happens in the staging
 * directory, so a refusal leaves the live runtime as it was.
 */
public final class DeltaReplay {
    private DeltaReplay() {}

    /**
     * Applies the deltas {@code m} names, in its order, to the databases under {@code stagedData};
     * one line per database for the restore's report. Whole databases were already written over the
     * staged copy by the extraction.
     */
    public static List<String> apply(Path stagedData, Manifest m, String archive, Map<String, Manifest.TableHead> heads)
            throws IOException {
        List<String> report = new ArrayList<>();
        if (m.databases() == null) return report;
        for (Manifest.Database d : m.databases()) {
            if (d.form() == Manifest.Database.Form.WHOLE) {
                heads.remove(d.name()); // the extraction wrote the whole copy over the staged one
                if (m.type() == Manifest.Type.INCREMENTAL) report.add(d.name() + ": whole copy from " + archive + " (" + d.why() + ")");
                continue;
            }
            RuntimeDatabase db;
            try {
                db = RuntimeDatabase.byName(d.name());
            } catch (IllegalArgumentException e) {
                throw new RestoreException(archive + ": " + e.getMessage());
            }
            Path delta = stagedData.resolve(db.deltaFileName());
            Path copy = stagedData.resolve(db.fileName());
            if (!Files.isRegularFile(delta)) throw new RestoreException(archive + " names " + d.path() + " but does not hold it");
            if (!Files.isRegularFile(copy)) {
                throw new RestoreException(archive + " holds the rows " + d.name() + " gained since its base, but the restore set"
                        + " holds no " + db.fileName() + " to apply them to (restore with --date, which starts from the full,"
                        + " or this archive's proof files alone with --scope=proof)");
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy)) {
                heads.put(d.name(), applyOne(c, db, d, delta, archive, heads.get(d.name())));
            } catch (SQLException e) {
                throw new RestoreException(archive + ": the " + d.name() + " delta cannot be applied: " + e.getMessage());
            }
            // the delta carries the live database's mtime and mode when the incremental was taken: so does the copy now
            Files.setLastModifiedTime(copy, Files.getLastModifiedTime(delta));
            if (Files.getFileStore(copy).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(delta));
            }
            Files.delete(delta);
            report.add(d.name() + ": " + d.rows() + " rows added by " + archive + (db == RuntimeDatabase.FEDERATION_LEDGER
                    ? ", the chain continuing to seq " + d.head().rowid() : ""));
        }
        return report;
    }

    /** Applies one delta; the staged copy's head after it. {@code known}: its head before, when already known, else null. */
    private static Manifest.TableHead applyOne(Connection c, RuntimeDatabase db, Manifest.Database d, Path delta, String archive,
            Manifest.TableHead known) throws SQLException, RestoreException {
        String table = TableHeads.identifier(db.table());
        try (Statement s = c.createStatement()) {
            s.execute("ATTACH DATABASE '" + delta.toString().replace("'", "''") + "' AS d");
        }
        try {
            c.setAutoCommit(false);
            // counted once per database and restore, then carried forward: never a scan per delta
            Manifest.TableHead staged = known != null ? known : TableHeads.of(c, db.table());
            if (staged.rows() != d.base().rows() || !java.util.Objects.equals(staged.lastRowSha256(), d.base().lastRowSha256())) {
                throw new RestoreException(archive + ": its " + d.name() + " delta builds on " + d.base().rows()
                        + " rows, but the archives before it restore " + staged.rows() + (staged.rows() == d.base().rows()
                        ? " rows ending in another row" : " rows") + ": an archive between them is missing; refused");
            }
            long rows;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM d." + table)) {
                rs.next();
                rows = rs.getLong(1);
            }
            if (rows != d.rows()) {
                throw new RestoreException(archive + ": its " + d.name() + " delta holds " + rows + " rows, its manifest says " + d.rows());
            }
            if (db == RuntimeDatabase.FEDERATION_LEDGER) continuesChain(c, archive);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO main." + table + " SELECT * FROM d." + table);
            }
            Manifest.TableHead now = TableHeads.above(c, db.table(), staged, rows);
            if (now.rows() != d.head().rows() || !java.util.Objects.equals(now.lastRowSha256(), d.head().lastRowSha256())) {
                throw new RestoreException(archive + ": after its " + d.name() + " delta the restored copy holds " + now.rows()
                        + " rows ending in another row than the " + d.head().rows() + " the backup saw; refused");
            }
            c.commit();
            return now;
        } catch (SQLException | RestoreException e) {
            c.rollback();
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("DETACH DATABASE d");
                }
            } catch (SQLException ignored) {
                // the connection is closed next; an error here must not hide the one that got us here
            }
        }
    }

    /** The delta's ledger entries, in seq order, continue the staged chain from its head. */
    private static void continuesChain(Connection c, String archive) throws SQLException, RestoreException {
        LedgerLink link;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, entry_hash FROM main.ledger ORDER BY seq DESC LIMIT 1")) {
            link = rs.next() ? new LedgerLink(rs.getLong(1), rs.getString(2)) : new LedgerLink(0, Hex.ZERO);
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + LedgerEntry.COLUMNS + " FROM d.ledger ORDER BY seq")) {
            while (rs.next()) {
                String why = link.follow(LedgerEntry.fromRow(rs));
                if (why != null) {
                    throw new RestoreException(archive + ": its federation_ledger delta does not continue the restored chain: "
                            + why + "; refused");
                }
            }
        }
    }
}
