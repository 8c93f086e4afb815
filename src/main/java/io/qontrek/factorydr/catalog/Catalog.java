package io.qontrek.factorydr.catalog;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The backup catalog (archive/catalog.db). Each call opens its own short connection, so the CLI
 * and the service can share the file; SQLite's busy timeout serialises writers ({@link CatalogDb}).
 * One class per table does the SQL: {@link ArchivesTable} (with the file lists it records),
 * {@link ArchiveFilesTable} (reading them back), {@link RunsTable}, {@link ProofChainChecksTable},
 * {@link TripwiresTable} and {@link DatabaseHeadsTable}; this is what the rest of the program calls.
 */
public final class Catalog implements CatalogReads {
    private final CatalogDb db;
    private final ArchivesTable archives;
    private final ArchiveFilesTable files;
    private final RunsTable runs;
    private final ProofChainChecksTable proofChainChecks;
    private final TripwiresTable tripwires;
    private final DatabaseHeadsTable databaseHeads;

    public Catalog(Path file) {
        this.db = new CatalogDb(file);
        this.archives = new ArchivesTable(db);
        this.files = new ArchiveFilesTable(db);
        this.runs = new RunsTable(db);
        this.proofChainChecks = new ProofChainChecksTable(db);
        this.tripwires = new TripwiresTable(db);
        this.databaseHeads = new DatabaseHeadsTable(db, archives);
    }

    public Path file() {
        return db.file;
    }

    /** Whether the catalog file exists: a read must not create it (an absent catalog reads as an empty one). */
    public boolean exists() {
        return java.nio.file.Files.exists(db.file);
    }

    /** Records an archive and its file list in one transaction. */
    public void record(CatalogEntry e, Iterable<FileRow> files) {
        archives.insert(e, files, null, List.of(), false);
    }

    /** Records an archive, its file list and the databases its manifest names, in one transaction. */
    public void record(CatalogEntry e, Iterable<FileRow> files, List<io.qontrek.factorydr.archive.Manifest.Database> databases) {
        archives.insert(e, files, databases, List.of(), false);
    }

    /**
     * Records an archive, its file list, its databases and its tripwires in one transaction: each finding is
     * held against the newest full or incremental backup created before it (see {@link TripwiresTable}), so an
     * archive is never recorded without the hold its findings put on the one before it.
     */
    public void record(CatalogEntry e, Iterable<FileRow> files, List<io.qontrek.factorydr.archive.Manifest.Database> databases,
            List<String> tripwires) {
        archives.insert(e, files, databases, tripwires, false);
    }

    /**
     * Records an archive and its file list unless the catalog already knows its backup_id or its
     * name (catalog rebuild); true when recorded. A known archive is left exactly as it is.
     */
    public boolean recordIfAbsent(CatalogEntry e, Iterable<FileRow> files) {
        return archives.insert(e, files, null, List.of(), true);
    }

    /** {@link #recordIfAbsent(CatalogEntry, Iterable)} with the databases its manifest names. */
    public boolean recordIfAbsent(CatalogEntry e, Iterable<FileRow> files,
            List<io.qontrek.factorydr.archive.Manifest.Database> databases) {
        return archives.insert(e, files, databases, List.of(), true);
    }

    /** What {@link #inOneTransaction} hands its work: the catalog rebuild's two writes. */
    public interface Recorder {
        /** As {@link Catalog#recordIfAbsent(CatalogEntry, Iterable, List)}. */
        boolean recordIfAbsent(CatalogEntry e, Iterable<FileRow> files, List<io.qontrek.factorydr.archive.Manifest.Database> databases);

        /** As {@link Catalog#recordTripwiresIfAbsent}. */
        boolean recordTripwiresIfAbsent(CatalogEntry e, List<String> findings);
    }

    /** Work over a {@link Recorder}. */
    public interface RecordingWork<T> {
        T run(Recorder recorder) throws java.io.IOException;
    }

    /**
     * Runs {@code work} in one transaction, committed when it returns: a catalog rebuild killed or failed
     * part-way then leaves the catalog as it was, never a part of the archive directory that reads as
     * the whole of it (a later incremental would build on the wrong backup, a gate judge the wrong
     * newest full). The price: the write lock is held to the commit, so other writers (a backup's record)
     * wait for it, and readers too once SQLite spills the transaction's pages to the file, each for at
     * most the busy timeout (30 s); a rebuild is a recovery step, not one to run beside scheduled backups.
     */
    public <T> T inOneTransaction(RecordingWork<T> work) throws java.io.IOException {
        try (Connection c = db.open()) {
            c.setAutoCommit(false);
            Recorder recorder = new Recorder() {
                @Override
                public boolean recordIfAbsent(CatalogEntry e, Iterable<FileRow> files,
                        List<io.qontrek.factorydr.archive.Manifest.Database> databases) {
                    try {
                        return ArchivesTable.insert(c, e, files, databases, List.of(), true);
                    } catch (SQLException ex) {
                        throw new CatalogException("cannot record " + e.name() + " in the catalog " + db.file + ": " + ex.getMessage(), ex);
                    }
                }

                @Override
                public boolean recordTripwiresIfAbsent(CatalogEntry e, List<String> findings) {
                    try {
                        return TripwiresTable.recordIfAbsent(c, e, findings);
                    } catch (SQLException ex) {
                        throw new CatalogException("cannot record the tripwire of " + e.backupId() + " in the catalog " + db.file
                                + ": " + ex.getMessage(), ex);
                    }
                }
            };
            T result;
            try {
                result = work.run(recorder);
            } catch (java.io.IOException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback); // the work's failure is the one to report
                }
                throw e;
            }
            c.commit();
            return result;
        } catch (SQLException ex) {
            throw new CatalogException("cannot record in the catalog " + db.file + ": " + ex.getMessage(), ex);
        }
    }

    /** Records one run of a flow, whatever its outcome ("ok", "nothing-to-do", "failed"). */
    public void recordRun(String flow, String startedAt, String finishedAt, String outcome, String backupId, String detail) {
        runs.recordRun(flow, startedAt, finishedAt, outcome, backupId, detail);
    }

    /** Every archive, oldest first. An absent catalog is an empty one. */
    @Override
    public List<CatalogEntry> archives() {
        return archives.archives();
    }

    /** Every archive not yet copied offsite (offsite_at null), oldest first: what catch-up uploads. */
    public List<CatalogEntry> notOffsite() {
        return archives.notOffsite();
    }

    /** Records that an archive and its sidecars are stored offsite and checked; false if the catalog does not know it. */
    public boolean markOffsite(String name, java.time.Instant at) {
        return archives.markOffsite(name, at);
    }

    /**
     * Forgets an archive: its row and its file list, in one transaction (retention, once the archive
     * and its offsite copies are gone). Runs stay: they are history. False if the catalog did not know it.
     */
    public boolean forget(String backupId) {
        return archives.forget(backupId);
    }

    public Optional<CatalogEntry> byName(String name) {
        return archives.byName(name);
    }

    /** The newest archive of one of these types, if any. */
    public Optional<CatalogEntry> newest(java.util.Set<String> types) {
        return archives.newest(types);
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
        return files.latestFiles(prefix);
    }

    public List<RunRow> runs(String flow) {
        return runs.runs(flow);
    }

    /**
     * The runs of these flows that started at or after {@code since} (an ISO instant), oldest first,
     * each with the size of the archive it wrote while the catalog still knows it (null otherwise):
     * what the status page charts. One query; it scans the runs table (no index on started_at), about
     * 35,000 rows for a year of incrementals every 15 minutes, and returns only the window.
     */
    public List<SizedRun> runsSince(List<String> flows, String since) {
        return runs.runsSince(flows, since);
    }

    /**
     * Per flow: how many runs ended each way, its newest run and its newest successful one ("ok" or
     * "nothing-to-do"). One grouped query plus one row per flow, however long the history: this is
     * what the governance gates, the health checks and /metrics read.
     */
    @Override
    public java.util.Map<String, FlowRuns> flowRuns() {
        return runs.flowRuns();
    }

    /** Records one proof chain verdict (see {@link ProofChainCheck}). */
    public void recordProofChainCheck(ProofChainCheck k) {
        proofChainChecks.recordProofChainCheck(k);
    }

    /**
     * The newest proof chain check that says something about the whole chain: one that checked the
     * whole chain, or one that found it broken (a break in a range is a break in the chain). A passed
     * check of a date range is no evidence for the rest, so it is skipped. One row read backwards
     * from the newest, however many proofs the runtime holds. Empty when none was ever recorded.
     */
    @Override
    public Optional<ProofChainCheck> newestProofChainEvidence() {
        return proofChainChecks.newestProofChainEvidence();
    }

    /**
     * Records the findings a catalogued archive's manifest names, unless the catalog already has some of
     * that backup (catalog rebuild, once every archive is recorded, so that the hold falls on the right
     * backup). A rebuilt catalog has lost its acknowledgements: what they had released is held again until
     * acknowledged again, which errs on the side of keeping archives. True when recorded.
     */
    public boolean recordTripwiresIfAbsent(CatalogEntry e, List<String> findings) {
        return tripwires.recordTripwiresIfAbsent(e, findings);
    }

    /** Every tripwire finding, oldest first; only those not yet acknowledged unless {@code all}. */
    public List<Tripwire> tripwires(boolean all) {
        return tripwires.tripwires(all);
    }

    /** The findings of one backup's tripwire, acknowledged or not. */
    public List<Tripwire> tripwiresOf(String backupId) {
        return tripwires.tripwiresOf(backupId);
    }

    /**
     * Acknowledges every finding of one backup's tripwire not yet acknowledged: retention may then let go
     * of the backup they held. The number acknowledged (0: none was outstanding).
     */
    public int acknowledgeTripwires(String backupId, java.time.Instant at) {
        return tripwires.acknowledgeTripwires(backupId, at);
    }

    /**
     * Whether a backup created at or after {@code since} (and still catalogued) already raised exactly this
     * finding: a loss that is still there is not a new one.
     */
    public boolean tripwireRaisedSince(String finding, String since) {
        return tripwires.tripwireRaisedSince(finding, since);
    }

    /**
     * The newest archive created before {@code before} that holds {@code path} (say data/nonce_store.db), with
     * the size it recorded: one indexed lookup. Empty when none does.
     */
    public Optional<Recorded> newestCopy(String path, String before) {
        return files.newestCopy(path, before);
    }

    /**
     * The database heads of the newest full or incremental (what the next incremental builds on),
     * by database name; empty when that archive names none (written before databases were named).
     * Empty too, with no backup id, when there is no full or incremental.
     */
    public DatabaseHeads newestDatabaseHeads() {
        return databaseHeads.newestDatabaseHeads();
    }

    /**
     * For each archive that named its databases, their names (federation_ledger, ...). Bounded by
     * what retention keeps, not by the runtime's size: one row per database per archive.
     */
    @Override
    public java.util.Map<String, java.util.Set<String>> databasesRecorded() {
        return databaseHeads.databasesRecorded();
    }

    public List<FileRow> files(String backupId) {
        return files.files(backupId);
    }

    /** Each file row of an archive in path order, read a row at a time: for archives of a million files. */
    public void forEachFile(String backupId, java.util.function.Consumer<FileRow> each) {
        files.forEachFile(backupId, each);
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

        LatestFiles(Connection connection, List<String> ids, List<PreparedStatement> cursors, int prefixLength) {
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

    /** A run and the size of the archive it wrote, null when it wrote none or the catalog has forgotten it. */
    public record SizedRun(RunRow run, Long archiveSize) {}

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

    /** The heads an archive recorded for its databases, by name; the archive's backup_id, null when there is none. */
    public record DatabaseHeads(String backupId, java.util.Map<String, io.qontrek.factorydr.archive.Manifest.TableHead> heads) {}

    public record FileRow(String path, long size, String sha256) {}

    /** One run of a flow as the runs table holds it. */
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
