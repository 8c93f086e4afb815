package io.qontrek.factorydr.catalog;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backup catalog (archive/catalog.db). Each call opens its own short connection, so the CLI
 * and the service can share the file; SQLite's busy timeout serialises writers.
 */
public final class Catalog implements CatalogReads {
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

    /**
     * One row per proof chain verdict of a verify flow, so that the proof-chain gate reads the newest
     * one instead of listing proof/. Created by its first write rather than in {@link #SCHEMA}: a
     * catalog written before this table existed reads as having no checks, even where it cannot be
     * written, and gains the table the first time a verification records one.
     */
    private static final String PROOF_CHAIN_CHECKS = """
            CREATE TABLE IF NOT EXISTS proof_chain_checks (
              id          INTEGER PRIMARY KEY,
              flow        TEXT NOT NULL,
              checked_at  TEXT NOT NULL,
              passed      INTEGER NOT NULL,
              range_from  TEXT,
              range_to    TEXT,
              proof_files INTEGER NOT NULL,
              first_seq   INTEGER,
              last_seq    INTEGER,
              head_seq    INTEGER,
              head_root   TEXT,
              detail      TEXT
            )""";

    /**
     * One row per finding of a backup's tripwire (backup/ShrinkCheck): the backup that saw the runtime
     * shrink (its manifest names the finding), the backup taken before it, which retention keeps until an
     * operator acknowledges the finding ({@code factory-dr tripwire ack}), and when that happened. Created
     * by its first write, like proof_chain_checks: a catalog written before it existed reads as having no
     * tripwire. Rows stay when retention forgets either backup: they are history, and a hold outlives them.
     */
    private static final String TRIPWIRES = """
            CREATE TABLE IF NOT EXISTS tripwires (
              id         INTEGER PRIMARY KEY,
              backup_id  TEXT NOT NULL,
              held       TEXT,
              raised_at  TEXT NOT NULL,
              finding    TEXT NOT NULL,
              acked_at   TEXT
            )""";

    /**
     * What each full or incremental holds of each database (its manifest's {@code databases}), so that
     * the next incremental takes only the rows above the newest head, and the RPO of each database is
     * known. Created by its first write, like proof_chain_checks: archives written before databases
     * were named have no rows here (a full still covers every database; such an incremental none).
     */
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

    private final Path file;

    public Catalog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Whether the catalog file exists: a read must not create it (an absent catalog reads as an empty one). */
    public boolean exists() {
        return Files.exists(file);
    }

    /** Records an archive and its file list in one transaction. */
    public void record(CatalogEntry e, Iterable<FileRow> files) {
        insert(e, files, null, List.of(), false);
    }

    /** Records an archive, its file list and the databases its manifest names, in one transaction. */
    public void record(CatalogEntry e, Iterable<FileRow> files, List<io.qontrek.factorydr.archive.Manifest.Database> databases) {
        insert(e, files, databases, List.of(), false);
    }

    /**
     * Records an archive, its file list, its databases and its tripwires in one transaction: each finding is
     * held against the newest full or incremental backup created before it (see {@link #TRIPWIRES}), so an
     * archive is never recorded without the hold its findings put on the one before it.
     */
    public void record(CatalogEntry e, Iterable<FileRow> files, List<io.qontrek.factorydr.archive.Manifest.Database> databases,
            List<String> tripwires) {
        insert(e, files, databases, tripwires, false);
    }

    /**
     * Records an archive and its file list unless the catalog already knows its backup_id or its
     * name (catalog rebuild); true when recorded. A known archive is left exactly as it is.
     */
    public boolean recordIfAbsent(CatalogEntry e, Iterable<FileRow> files) {
        return insert(e, files, null, List.of(), true);
    }

    /** {@link #recordIfAbsent(CatalogEntry, Iterable)} with the databases its manifest names. */
    public boolean recordIfAbsent(CatalogEntry e, Iterable<FileRow> files,
            List<io.qontrek.factorydr.archive.Manifest.Database> databases) {
        return insert(e, files, databases, List.of(), true);
    }

    private boolean insert(CatalogEntry e, Iterable<FileRow> files, List<io.qontrek.factorydr.archive.Manifest.Database> databases,
            List<String> tripwires, boolean ifAbsent) {
        try (Connection c = open()) {
            c.setAutoCommit(false);
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
                setLong(ps, 10, e.proofHeadSeq());
                ps.setString(11, e.proofHeadRoot());
                setLong(ps, 12, e.ledgerHeadSeq());
                ps.setString(13, e.ledgerHeadHash());
                ps.setString(14, e.verifiedAt());
                ps.setString(15, e.offsiteAt());
                if (ps.executeUpdate() == 0) {
                    c.rollback();
                    return false;
                }
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
            if (databases != null && !databases.isEmpty()) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate(DATABASE_HEADS);
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO database_heads (backup_id, name, form, rows, head_rowid, head_rows, head_last_row, why)
                        VALUES (?,?,?,?,?,?,?,?)""")) {
                    for (io.qontrek.factorydr.archive.Manifest.Database d : databases) {
                        ps.setString(1, e.backupId());
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
            if (!tripwires.isEmpty()) insertTripwires(c, e, tripwires);
            c.commit();
            return true;
        } catch (SQLException ex) {
            throw new CatalogException("cannot record " + e.name() + " in the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Records one run of a flow, whatever its outcome ("ok", "nothing-to-do", "failed"). */
    public void recordRun(String flow, String startedAt, String finishedAt, String outcome, String backupId, String detail) {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO runs (flow, started_at, finished_at, outcome, backup_id, detail) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, flow);
            ps.setString(2, startedAt);
            ps.setString(3, finishedAt);
            ps.setString(4, outcome);
            ps.setString(5, backupId);
            ps.setString(6, detail);
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw new CatalogException("cannot record a run of " + flow + " in the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Every archive, oldest first. An absent catalog is an empty one. */
    @Override
    public List<CatalogEntry> archives() {
        if (!Files.exists(file)) return List.of();
        return query("SELECT * FROM archives ORDER BY created_at, backup_id", null);
    }

    /** Every archive not yet copied offsite (offsite_at null), oldest first: what catch-up uploads. */
    public List<CatalogEntry> notOffsite() {
        if (!Files.exists(file)) return List.of();
        return query("SELECT * FROM archives WHERE offsite_at IS NULL ORDER BY created_at, backup_id", null);
    }

    /** Records that an archive and its sidecars are stored offsite and checked; false if the catalog does not know it. */
    public boolean markOffsite(String name, java.time.Instant at) {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement("UPDATE archives SET offsite_at = ? WHERE name = ?")) {
            ps.setString(1, at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            ps.setString(2, name);
            return ps.executeUpdate() == 1;
        } catch (SQLException ex) {
            throw new CatalogException("cannot record the offsite copy of " + name + " in the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Forgets an archive: its row and its file list, in one transaction (retention, once the archive
     * and its offsite copies are gone). Runs stay: they are history. False if the catalog did not know it.
     */
    public boolean forget(String backupId) {
        try (Connection c = open()) {
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
            throw new CatalogException("cannot forget " + backupId + " in the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    public Optional<CatalogEntry> byName(String name) {
        if (!Files.exists(file)) return Optional.empty();
        return query("SELECT * FROM archives WHERE name = ?", name).stream().findFirst();
    }

    /** The newest archive of one of these types, if any. */
    public Optional<CatalogEntry> newest(java.util.Set<String> types) {
        return archives().stream().filter(e -> types.contains(e.type())).reduce((a, b) -> b);
    }

    /**
     * What the catalog last recorded for each archived path under a prefix (e.g. "proof/"), as a
     * cursor in the paths' byte order (SQLite's BINARY order), the newest archive's row winning. This
     * is how incrementals know what changed without reading archives, and it is queried, not loaded:
     * each archive's rows come in path order through its primary key (backup_id, path), and the
     * archives' cursors are merged here, so a million files cost a row at a time per archive. Only
     * the newest full and the archives after it are read: a full holds every file, so an older row is
     * either superseded or of a file that was gone at that full (which then counts as new). The
     * caller closes the cursor.
     */
    public LatestFiles latestFiles(String prefix) {
        if (!Files.exists(file)) return new LatestFiles(null, List.of(), List.of(), prefix.length());
        Connection c = null;
        try {
            c = open();
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
            return new LatestFiles(c, ids, cursors, prefix.length());
        } catch (SQLException ex) {
            try {
                if (c != null) c.close();
            } catch (SQLException ignored) {
                // the failure below is the one to report
            }
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** A file as the newest archive holding it recorded it: its path below the prefix, size and SHA-256. */
    public record Recorded(String relative, long size, String sha256, String backupId) {}

    /** The merged cursor of {@link #latestFiles}, in path order; one row per path, the newest archive's. */
    public static final class LatestFiles implements java.util.Iterator<Recorded>, AutoCloseable {
        private record Head(String path, long size, String sha256, int archive, ResultSet rows) {}

        private final Connection connection;
        private final int prefixLength;
        private final List<String> ids;
        // by path; for one path the newest archive (the highest index) first
        private final java.util.PriorityQueue<Head> heads = new java.util.PriorityQueue<>((a, b) -> {
            int byPath = compareUtf8(a.path(), b.path());
            return byPath != 0 ? byPath : Integer.compare(b.archive(), a.archive());
        });

        private LatestFiles(Connection connection, List<String> ids, List<PreparedStatement> cursors, int prefixLength) {
            this.connection = connection;
            this.ids = List.copyOf(ids);
            this.prefixLength = prefixLength;
            try {
                for (int i = 0; i < cursors.size(); i++) advance(i, cursors.get(i).executeQuery());
            } catch (SQLException e) {
                close();
                throw new CatalogException("cannot read the catalog: " + e.getMessage(), e);
            }
        }

        @Override
        public boolean hasNext() {
            return !heads.isEmpty();
        }

        @Override
        public Recorded next() {
            Head newest = heads.poll();
            if (newest == null) throw new java.util.NoSuchElementException();
            try {
                advance(newest.archive(), newest.rows());
                // older archives' rows of the same path are superseded
                while (!heads.isEmpty() && heads.peek().path().equals(newest.path())) {
                    Head older = heads.poll();
                    advance(older.archive(), older.rows());
                }
                return new Recorded(newest.path().substring(prefixLength), newest.size(), newest.sha256(), ids.get(newest.archive()));
            } catch (SQLException e) {
                throw new CatalogException("cannot read the catalog: " + e.getMessage(), e);
            }
        }

        private void advance(int archive, ResultSet rows) throws SQLException {
            if (rows.next()) heads.add(new Head(rows.getString(1), rows.getLong(2), rows.getString(3), archive, rows));
            else rows.getStatement().close();
        }

        @Override
        public void close() {
            if (connection == null) return;
            try {
                connection.close(); // closes every cursor with it
            } catch (SQLException ignored) {
                // read-only: nothing to lose
            }
        }
    }

    /** Byte order of the UTF-8 forms, which is SQLite's BINARY collation. */
    static int compareUtf8(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public List<RunRow> runs(String flow) {
        if (!Files.exists(file)) return List.of();
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(
                "SELECT flow, started_at, finished_at, outcome, backup_id, detail FROM runs WHERE flow = ? ORDER BY id")) {
            ps.setString(1, flow);
            List<RunRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
            return out;
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The runs of these flows that started at or after {@code since} (an ISO instant), oldest first,
     * each with the size of the archive it wrote while the catalog still knows it (null otherwise):
     * what the status page charts. One query; it scans the runs table (no index on started_at), about
     * 35,000 rows for a year of incrementals every 15 minutes, and returns only the window.
     */
    public List<SizedRun> runsSince(List<String> flows, String since) {
        if (!Files.exists(file) || flows.isEmpty()) return List.of();
        String marks = String.join(",", java.util.Collections.nCopies(flows.size(), "?"));
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement("SELECT r.flow, r.started_at, r.finished_at, r.outcome, "
                + "r.backup_id, r.detail, a.size AS size FROM runs r LEFT JOIN archives a ON a.backup_id = r.backup_id "
                + "WHERE r.flow IN (" + marks + ") AND r.started_at >= ? ORDER BY r.started_at, r.id")) {
            int i = 1;
            for (String f : flows) ps.setString(i++, f);
            ps.setString(i, since);
            try (ResultSet rs = ps.executeQuery()) {
                return CatalogRows.sizedRuns(CatalogRows.rows(rs));
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** A run and the size of the archive it wrote, null when it wrote none or the catalog has forgotten it. */
    public record SizedRun(RunRow run, Long archiveSize) {}

    /**
     * Per flow: how many runs ended each way, its newest run and its newest successful one ("ok" or
     * "nothing-to-do"). One grouped query plus one row per flow, however long the history: this is
     * what the governance gates, the health checks and /metrics read.
     */
    @Override
    public java.util.Map<String, FlowRuns> flowRuns() {
        if (!Files.exists(file)) return new java.util.TreeMap<>();
        try (Connection c = open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(FLOW_RUNS)) {
            return CatalogRows.flowRuns(CatalogRows.rows(rs));
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** The newest run of each flow and outcome, with how many runs of the flow ended that way (as routes/api.camel.yaml asks). */
    private static final String FLOW_RUNS = """
            SELECT r.id, r.flow, r.started_at, r.finished_at, r.outcome, r.backup_id, r.detail, g.runs
            FROM (SELECT max(id) AS last_id, count(*) AS runs FROM runs GROUP BY flow, outcome) g
            JOIN runs r ON r.id = g.last_id ORDER BY r.flow, r.id""";

    /** Records one proof chain verdict (see {@link ProofChainCheck}). */
    public void recordProofChainCheck(ProofChainCheck k) {
        try (Connection c = open()) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate(PROOF_CHAIN_CHECKS);
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO proof_chain_checks (flow, checked_at, passed, range_from, range_to, proof_files,
                      first_seq, last_seq, head_seq, head_root, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)""")) {
                ps.setString(1, k.flow());
                ps.setString(2, k.checkedAt());
                ps.setInt(3, k.passed() ? 1 : 0);
                ps.setString(4, k.rangeFrom());
                ps.setString(5, k.rangeTo());
                ps.setLong(6, k.proofFiles());
                setLong(ps, 7, k.firstSeq());
                setLong(ps, 8, k.lastSeq());
                setLong(ps, 9, k.headSeq());
                ps.setString(10, k.headRoot());
                ps.setString(11, k.detail());
                ps.executeUpdate();
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot record a proof chain check of " + k.flow() + " in the catalog " + file + ": "
                    + ex.getMessage(), ex);
        }
    }

    /**
     * The newest proof chain check that says something about the whole chain: one that checked the
     * whole chain, or one that found it broken (a break in a range is a break in the chain). A passed
     * check of a date range is no evidence for the rest, so it is skipped. One row read backwards
     * from the newest, however many proofs the runtime holds. Empty when none was ever recorded.
     */
    @Override
    public Optional<ProofChainCheck> newestProofChainEvidence() {
        if (!Files.exists(file)) return Optional.empty();
        try (Connection c = open(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'proof_chain_checks'")) {
                if (!rs.next()) return Optional.empty();
            }
            try (ResultSet rs = s.executeQuery("""
                    SELECT flow, checked_at, passed, range_from, range_to, proof_files, first_seq, last_seq, head_seq,
                      head_root, detail FROM proof_chain_checks
                    WHERE (range_from IS NULL AND range_to IS NULL) OR passed = 0 ORDER BY id DESC LIMIT 1""")) {
                return CatalogRows.rows(rs).stream().findFirst().map(CatalogRows::proofChainCheck);
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Records the findings a catalogued archive's manifest names, unless the catalog already has some of
     * that backup (catalog rebuild, once every archive is recorded, so that the hold falls on the right
     * backup). A rebuilt catalog has lost its acknowledgements: what they had released is held again until
     * acknowledged again, which errs on the side of keeping archives. True when recorded.
     */
    public boolean recordTripwiresIfAbsent(CatalogEntry e, List<String> findings) {
        if (findings.isEmpty()) return false;
        try (Connection c = open()) {
            c.setAutoCommit(false);
            if (hasTable(c, "tripwires")) {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tripwires WHERE backup_id = ? LIMIT 1")) {
                    ps.setString(1, e.backupId());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) return false;
                    }
                }
            }
            insertTripwires(c, e, findings);
            c.commit();
            return true;
        } catch (SQLException ex) {
            throw new CatalogException("cannot record the tripwire of " + e.backupId() + " in the catalog " + file + ": "
                    + ex.getMessage(), ex);
        }
    }

    private static void insertTripwires(Connection c, CatalogEntry e, List<String> findings) throws SQLException {
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

    /** One finding of a backup's tripwire; {@code held} may be null (nothing before it), {@code ackedAt} is null until acknowledged. */
    public record Tripwire(long id, String backupId, String held, String raisedAt, String finding, String ackedAt) {
        public boolean acknowledged() {
            return ackedAt != null;
        }

        /** The command that acknowledges it. */
        public String ackCommand() {
            return "factory-dr tripwire ack " + backupId;
        }

        /** What it holds and how to let go, in words, for alerts and output. */
        public String hold() {
            if (acknowledged()) return "acknowledged " + ackedAt;
            if (held == null) return "no backup before it to hold; acknowledge with '" + ackCommand() + "'";
            return "retention keeps " + held + " until '" + ackCommand() + "'";
        }
    }

    /** Every tripwire finding, oldest first; only those not yet acknowledged unless {@code all}. */
    public List<Tripwire> tripwires(boolean all) {
        return tripwires(all ? "" : "WHERE acked_at IS NULL", null);
    }

    /** The findings of one backup's tripwire, acknowledged or not. */
    public List<Tripwire> tripwiresOf(String backupId) {
        return tripwires("WHERE backup_id = ?", backupId);
    }

    private List<Tripwire> tripwires(String where, String arg) {
        if (!Files.exists(file)) return List.of();
        try (Connection c = open()) {
            if (!hasTable(c, "tripwires")) return List.of();
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
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Acknowledges every finding of one backup's tripwire not yet acknowledged: retention may then let go
     * of the backup they held. The number acknowledged (0: none was outstanding).
     */
    public int acknowledgeTripwires(String backupId, java.time.Instant at) {
        if (!Files.exists(file)) return 0;
        try (Connection c = open()) {
            if (!hasTable(c, "tripwires")) return 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE tripwires SET acked_at = ? WHERE backup_id = ? AND acked_at IS NULL")) {
                ps.setString(1, at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
                ps.setString(2, backupId);
                return ps.executeUpdate();
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot acknowledge the tripwire of " + backupId + " in the catalog " + file + ": "
                    + ex.getMessage(), ex);
        }
    }

    /**
     * Whether a backup created at or after {@code since} (and still catalogued) already raised exactly this
     * finding: a loss that is still there is not a new one.
     */
    public boolean tripwireRaisedSince(String finding, String since) {
        if (!Files.exists(file)) return false;
        try (Connection c = open()) {
            if (!hasTable(c, "tripwires")) return false;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tripwires t JOIN archives a ON a.backup_id = t.backup_id "
                    + "WHERE t.finding = ? AND a.created_at >= ? LIMIT 1")) {
                ps.setString(1, finding);
                ps.setString(2, since);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The newest archive created before {@code before} that holds {@code path} (say data/nonce_store.db), with
     * the size it recorded: one indexed lookup. Empty when none does.
     */
    public Optional<Recorded> newestCopy(String path, String before) {
        if (!Files.exists(file)) return Optional.empty();
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement("SELECT f.size, f.sha256, a.backup_id FROM archive_files f "
                + "JOIN archives a ON a.backup_id = f.backup_id WHERE f.path = ? AND a.created_at < ? "
                + "ORDER BY a.created_at DESC, a.backup_id DESC LIMIT 1")) {
            ps.setString(1, path);
            ps.setString(2, before);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Recorded(path, rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The database heads of the newest full or incremental (what the next incremental builds on),
     * by database name; empty when that archive names none (written before databases were named).
     * Empty too, with no backup id, when there is no full or incremental.
     */
    public DatabaseHeads newestDatabaseHeads() {
        Optional<CatalogEntry> newest = newest(java.util.Set.of("full", "incremental"));
        if (newest.isEmpty()) return new DatabaseHeads(null, java.util.Map.of());
        String id = newest.get().backupId();
        java.util.Map<String, io.qontrek.factorydr.archive.Manifest.TableHead> heads = new java.util.LinkedHashMap<>();
        try (Connection c = open()) {
            if (hasTable(c, "database_heads")) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT name, head_rowid, head_rows, head_last_row FROM database_heads WHERE backup_id = ? ORDER BY rowid")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            heads.put(rs.getString(1), new io.qontrek.factorydr.archive.Manifest.TableHead(rs.getLong(2),
                                    rs.getLong(3), rs.getString(4)));
                        }
                    }
                }
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
        return new DatabaseHeads(id, heads);
    }

    /** The heads an archive recorded for its databases, by name; the archive's backup_id, null when there is none. */
    public record DatabaseHeads(String backupId, java.util.Map<String, io.qontrek.factorydr.archive.Manifest.TableHead> heads) {}

    /**
     * For each archive that named its databases, their names (federation_ledger, ...). Bounded by
     * what retention keeps, not by the runtime's size: one row per database per archive.
     */
    @Override
    public java.util.Map<String, java.util.Set<String>> databasesRecorded() {
        if (!Files.exists(file)) return new java.util.HashMap<>();
        try (Connection c = open()) {
            if (!hasTable(c, "database_heads")) return new java.util.HashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT backup_id, name FROM database_heads")) {
                return CatalogRows.databases(CatalogRows.rows(rs));
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static boolean hasTable(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public List<FileRow> files(String backupId) {
        List<FileRow> out = new ArrayList<>();
        forEachFile(backupId, out::add);
        return out;
    }

    /** Each file row of an archive in path order, read a row at a time: for archives of a million files. */
    public void forEachFile(String backupId, java.util.function.Consumer<FileRow> each) {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(
                "SELECT path, size, sha256 FROM archive_files WHERE backup_id = ? ORDER BY path")) {
            ps.setString(1, backupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) each.accept(new FileRow(rs.getString(1), rs.getLong(2), rs.getString(3)));
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    private List<CatalogEntry> query(String sql, String arg) {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return CatalogRows.entries(CatalogRows.rows(rs));
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot read the catalog " + file + ": " + ex.getMessage(), ex);
        }
    }

    private Connection open() throws SQLException {
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

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.INTEGER);
        else ps.setLong(i, v);
    }

    public record FileRow(String path, long size, String sha256) {}

    /** What the catalog last recorded of a file: its size, and the archive whose row it is. */
    public record RunRow(String flow, String startedAt, String finishedAt, String outcome, String backupId, String detail) {}

    /**
     * One verdict of the proof chain verifier as a verify flow reached it.
     *
     * @param flow the verify flow (verify-proofs, verify-daily)
     * @param checkedAt when the verdict was reached
     * @param passed whether the chain held over what was checked
     * @param rangeFrom first UTC day checked (YYYY-MM-DD), null from the start
     * @param rangeTo last UTC day checked, null to the end; both null: the whole chain
     * @param proofFiles proof files listed
     * @param firstSeq first seq checked, null when none was
     * @param lastSeq last seq checked, null when none was
     * @param headSeq the highest seq read, null when none could be read
     * @param headRoot its merkle_root
     * @param detail the verifier's one-line summary, or its first problem when the chain did not hold
     */
    public record ProofChainCheck(String flow, String checkedAt, boolean passed, String rangeFrom, String rangeTo, long proofFiles,
                                  Long firstSeq, Long lastSeq, Long headSeq, String headRoot, String detail) {
        public boolean wholeChain() {
            return rangeFrom == null && rangeTo == null;
        }
    }

    /** The runs of one flow: counts by outcome, the newest run, the newest successful run (null if none). */
    public record FlowRuns(String flow, java.util.Map<String, Long> outcomes, RunRow last, RunRow lastOk) {
        public long count(String outcome) {
            return outcomes.getOrDefault(outcome, 0L);
        }
    }

    /** The catalog could not be read or written. */
    public static final class CatalogException extends RuntimeException {
        public CatalogException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
