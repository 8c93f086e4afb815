package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.Futures;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.runtime.DailyDigest;
import io.qontrek.factorydr.runtime.RuntimeDatabase;
import io.qontrek.factorydr.runtime.ProofFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.ParallelIo;
import io.qontrek.factorydr.common.Spool;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Decides what each kind of archive holds, straight from the runtime's directories (runtime
 * contract, "Archives"). Databases are snapshotted here, ledger first: the runtime records a
 * nonce before it appends the ledger entry, so a nonce store read after the ledger holds every
 * nonce of the ledger snapshot, and the anti-replay invariant holds inside the backup.
 */
public final class BackupCollector {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final RuntimeLayout layout;
    private final ConfigSelection configSelection;
    private final Duration logsMaxAge;
    private final int busyTimeoutSeconds;

    public BackupCollector(RuntimeLayout layout, ConfigSelection configSelection, Duration logsMaxAge, int busyTimeoutSeconds) {
        this.layout = layout;
        this.configSelection = configSelection;
        this.logsMaxAge = logsMaxAge;
        this.busyTimeoutSeconds = busyTimeoutSeconds;
    }

    /**
     * Full backup: proof/, config/ (redacted, secrets skipped), the three databases, logs of the last 48 h.
     * The database snapshots are started here and taken in the background (ledger first, as above)
     * while the archive's first entries, the proof files, are written; see {@link SqliteSnapshots}.
     */
    public BackupSet full(Instant now) throws IOException {
        layout.requireRuntime().requireSeparate();
        String stamp = STAMP.format(now);
        Path work = workDir("full-" + stamp);
        SqliteSnapshots snapshots = null;
        try {
            Path ledger = work.resolve("federation_ledger.db");
            Path nonces = work.resolve("nonce_store.db");
            Path receipts = work.resolve("receipts.db");
            Map<Path, Path> dbs = new java.util.LinkedHashMap<>();
            dbs.put(layout.ledgerDb(), ledger);
            dbs.put(layout.nonceStoreDb(), nonces);
            dbs.put(layout.receiptsDb(), receipts);
            snapshots = new SqliteSnapshots(dbs, ledger, busyTimeoutSeconds);

            ConfigSelection.Selection config = configSelection.select(layout.configDir());
            List<BackupSet.Entry> databases = List.of(
                    BackupSet.Entry.pending("data/federation_ledger.db", ledger, snapshots.copy(ledger), layout.ledgerDb()),
                    BackupSet.Entry.pending("data/nonce_store.db", nonces, snapshots.copy(nonces), layout.nonceStoreDb()),
                    BackupSet.Entry.pending("data/receipts.db", receipts, snapshots.copy(receipts), layout.receiptsDb()));
            // the proof files are listed, sorted, as the tar takes them: never all in memory at once
            Iterable<BackupSet.Entry> entries = BackupSet.concat(new BackupSet.Listed(layout.proofDir(), "proof/", work),
                    config.entries(), databases, recentLogs(now));
            return new BackupSet("full", "full-" + stamp, "full/" + stamp + ".tar.gz.enc", now, null, entries,
                    proofHead(), null, config.redacted(), config.skipped(), work, snapshots);
        } catch (IOException | RuntimeException e) {
            if (snapshots != null) snapshots.close();
            WorkDir.delete(work);
            throw e;
        }
    }

    /**
     * Incremental: the proof files (proofs and digests) new or changed since the last backup of any
     * kind, and what each database gained since the newest full or incremental ({@link DatabaseDelta}),
     * judged against what the catalog recorded rather than by reading archives. Empty (nothing to
     * do) only when neither the proof files nor the databases changed. A known file
     * of another size goes in; one of the same size is hashed only when it changed after that
     * backup, and goes in when its hash differs. Its base is the last backup's id.
     *
     * <p>One pass: the sorted listing of proof/ ({@link SortedListing}) merged with the catalog's
     * rows in the same order ({@link Catalog#latestFiles}); what goes in is spooled off the heap, so a
     * million proofs cost the same memory as a thousand. Files to hash are hashed a batch at a time
     * on the pool.
     */
    public BackupSet incremental(Instant now, Catalog catalog) throws IOException {
        layout.requireProofs().requireSeparate();
        CatalogEntry last = catalog.newest(Set.of("full", "incremental", "proof-daily"))
                .orElseThrow(() -> new IOException("no backup to build an incremental on: run 'backup full' first"));
        long since = Instant.parse(last.createdAt()).toEpochMilli();
        String stamp = STAMP.format(now);
        Path work = workDir("incremental-" + stamp);
        Path dir = layout.proofDir();
        Spool included = new Spool(work);
        // the databases' deltas are read beside the listing: the one waits on SQLite's pages (a count
        // over a million ledger rows), the other on the directory's inodes
        Catalog.DatabaseHeads base = catalog.newestDatabaseHeads();
        FutureTask<List<DatabaseDelta.Taken>> taking = new FutureTask<>(() -> databaseDeltas(base, work));
        Thread deltaThread = new Thread(taking, "database-deltas");
        deltaThread.setDaemon(true);
        deltaThread.start();
        List<DatabaseDelta.Taken> databases;
        String newest = null;
        long newestSeq = -1;
        MissingProofs missing;
        try (ParallelIo io = new ParallelIo(); SortedListing files = SortedListing.of(dir, work);
             MissingProofs.Merge known = MissingProofs.merge(catalog.latestFiles("proof/"))) {
            List<Pending> pending = new ArrayList<>(); // decided in order, once the batch's hashes are in
            while (files.hasNext()) {
                SortedListing.File f = files.next();
                OptionalLong seq = ProofFile.seqOfFileName(f.relative());
                if (seq.isPresent() && seq.getAsLong() > newestSeq) {
                    newestSeq = seq.getAsLong();
                    newest = f.relative();
                }
                // the catalog's row of this file; the rows the merge passes by are of proof files gone (tripwire)
                Catalog.Recorded before = known.listed(f.relative());
                boolean recorded = before != null;
                if (!recorded || before.size() != f.size()) {
                    pending.add(new Pending(f.relative(), null)); // new, or of another size: goes in
                } else if (f.mtimeMillis() >= since) {
                    pending.add(new Pending(f.relative(), before.sha256())); // same size, changed since: its content decides
                }
                if (pending.size() >= HASH_BATCH) decide(io, dir, pending, included);
            }
            decide(io, dir, pending, included);
            missing = known.finish();
            included.seal();
            databases = Futures.await(taking, "the databases' deltas");
        } catch (IOException | RuntimeException e) {
            included.close();
            taking.cancel(false);
            Futures.joinUninterruptibly(deltaThread); // it writes into work
            WorkDir.delete(work);
            throw e;
        }
        // the head comes from the files just listed, not from listing the directory again
        BackupSet.Head head = newest == null ? null : new BackupSet.Head(newestSeq, ProofFile.read(dir.resolve(newest)).merkleRoot());
        BackupSet.Head ledgerHead = databases.get(0).ledgerHead();
        boolean databasesChanged = databases.stream().anyMatch(t -> BackupSet.changed(t.database()));
        // proof files gone are a change too, unless the tripwire finds them reported already (BackupSet.isEmpty)
        if (included.size() == 0 && !databasesChanged && missing.count() == 0) { // nothing to archive: no scratch to keep
            included.close();
            WorkDir.delete(work);
            // with its heads all the same, which the tripwire compares with the previous backup's
            return new BackupSet("incremental", "incremental-" + stamp, "incremental/" + stamp + ".tar.gz.enc", now,
                    last.backupId(), List.of(), head, ledgerHead, List.of(), List.of(), null, null, List.of());
        }
        // the listing was in path order: so is what goes in
        Iterable<BackupSet.Entry> entries = () -> new java.util.Iterator<>() {
            private final java.util.Iterator<byte[]> names = included.iterator();

            @Override
            public boolean hasNext() {
                return names.hasNext();
            }

            @Override
            public BackupSet.Entry next() {
                String relative = new String(names.next(), java.nio.charset.StandardCharsets.UTF_8);
                return BackupSet.Entry.file("proof/" + relative, dir.resolve(relative));
            }
        };
        List<BackupSet.Entry> deltas = new ArrayList<>();
        for (DatabaseDelta.Taken t : databases) { // archived with the live database's mode and owner
            Path live = RuntimeDatabase.byName(t.database().name()).live(layout);
            deltas.add(BackupSet.Entry.copyOf(t.database().path(), t.file(), live));
        }
        return new BackupSet("incremental", "incremental-" + stamp, "incremental/" + stamp + ".tar.gz.enc", now,
                last.backupId(), BackupSet.concat(entries, deltas), head, ledgerHead, List.of(), List.of(), work, null,
                databases.stream().map(DatabaseDelta.Taken::database).toList(), missing, null);
    }

    /**
     * What each database gained since the newest full or incremental, ledger first (see the class
     * comment), each at one point in time: a delta of the rows above that archive's head, or the
     * whole database when it changed below it or that archive recorded no head.
     */
    private List<DatabaseDelta.Taken> databaseDeltas(Catalog.DatabaseHeads base, Path work) throws IOException {
        List<DatabaseDelta.Taken> out = new ArrayList<>();
        for (RuntimeDatabase db : RuntimeDatabase.inOrder()) {
            Manifest.TableHead head = base.heads().get(db.dbName());
            String noBase = head != null ? null : base.backupId() == null ? "no full or incremental to build on"
                    : base.backupId() + " records no head of " + db.dbName() + " (written before incrementals carried the databases)";
            out.add(DatabaseDelta.take(db, db.live(layout), head, noBase, work, busyTimeoutSeconds));
        }
        return out;
    }

    /** A file the incremental may take: with the recorded hash its content is compared with, or null (it goes in). */
    private record Pending(String relative, String recordedSha256) {}

    private static final int HASH_BATCH = 512;

    /** Hashes the batch's files of a known size on the pool, then appends what goes in, in listing order. */
    private static void decide(ParallelIo io, Path dir, List<Pending> batch, Spool included) throws IOException {
        if (batch.isEmpty()) return;
        List<Pending> toHash = batch.stream().filter(p -> p.recordedSha256() != null).toList();
        List<String> hashes = io.map(toHash, p -> Hashes.sha256Hex(dir.resolve(p.relative())));
        java.util.Map<String, String> changed = new java.util.HashMap<>();
        for (int i = 0; i < toHash.size(); i++) changed.put(toHash.get(i).relative(), hashes.get(i));
        for (Pending p : batch) {
            if (p.recordedSha256() == null || !p.recordedSha256().equals(changed.get(p.relative()))) included.append(utf8(p.relative()));
        }
        batch.clear();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Daily proof archive: the proof files of one day (from its digest's seq range) and the digest itself. */
    public BackupSet proofDay(LocalDate day, Instant now) throws IOException {
        layout.requireProofs();
        Path digestFile = DailyDigest.path(layout.proofDir(), day);
        if (!Files.isRegularFile(digestFile)) {
            throw new IOException("no daily digest for " + day + " (" + digestFile + "): the runtime has not closed that day");
        }
        DailyDigest digest = DailyDigest.read(digestFile);
        List<BackupSet.Entry> entries = new ArrayList<>();
        BackupSet.Head head = null;
        if (digest.firstSeq() != null) {
            for (long seq = digest.firstSeq(); seq <= digest.lastSeq(); seq++) {
                Path proof = layout.proofDir().resolve(ProofFile.fileName(seq));
                if (!Files.isRegularFile(proof)) {
                    throw new IOException("proof seq " + seq + " of " + day + " is missing: " + proof);
                }
                entries.add(BackupSet.Entry.file("proof/" + ProofFile.fileName(seq), proof));
            }
            Path last = layout.proofDir().resolve(ProofFile.fileName(digest.lastSeq()));
            head = new BackupSet.Head(digest.lastSeq(), ProofFile.read(last).merkleRoot());
        }
        entries.add(BackupSet.Entry.file("proof/digests/" + digestFile.getFileName(), digestFile));
        return new BackupSet("proof-daily", "proof-daily-" + day, "proof/" + day + ".tar.gz.enc", now, null, entries,
                head, null, List.of(), List.of(), null);
    }

    /**
     * Alert archive of one day: the files under logs/alerts/ that belong to it, by the date in
     * their name (alerts-2025-10-23.log) or, for names without a date, by their last change.
     */
    public BackupSet alerts(LocalDate day, Instant now) throws IOException {
        layout.requireLogs();
        List<BackupSet.Entry> entries = new ArrayList<>();
        String iso = day.toString();
        for (Path f : RuntimeFiles.regularFiles(layout.alertsDir())) {
            String fileName = f.getFileName().toString();
            boolean belongs = fileName.matches(".*\\d{4}-\\d{2}-\\d{2}.*")
                    ? fileName.contains(iso)
                    : LocalDate.ofInstant(Files.getLastModifiedTime(f).toInstant(), ZoneOffset.UTC).equals(day);
            if (belongs) entries.add(BackupSet.Entry.log("logs/alerts/" + RuntimeFiles.relative(layout.alertsDir(), f), f));
        }
        return new BackupSet("alerts", "alerts-" + day, "alerts/" + day + ".tar.gz.enc", now, null, entries,
                null, null, List.of(), List.of(), null);
    }

    private static <T> T result(Future<T> f) throws IOException {
        return Futures.await(f, "the proof files' listing");
    }

    /** The proof with the highest seq in proof/, or null when there is none. */
    private BackupSet.Head proofHead() throws IOException {
        try (var s = Files.list(layout.proofDir())) {
            return proofHead(s.map(p -> p.getFileName().toString()));
        }
    }

    /**
     * The proof with the highest seq among these names below proof/ (a proof file's name says its seq;
     * names with a '/' are below a subdirectory), or null.
     */
    private BackupSet.Head proofHead(java.util.stream.Stream<String> names) throws IOException {
        String newest = null;
        long best = -1;
        for (String name : (Iterable<String>) names::iterator) {
            OptionalLong seq = ProofFile.seqOfFileName(name);
            if (seq.isPresent() && seq.getAsLong() > best) {
                best = seq.getAsLong();
                newest = name;
            }
        }
        return newest == null ? null : new BackupSet.Head(best, ProofFile.read(layout.proofDir().resolve(newest)).merkleRoot());
    }

    private List<BackupSet.Entry> recentLogs(Instant now) throws IOException {
        Instant cutoff = now.minus(logsMaxAge);
        List<BackupSet.Entry> out = new ArrayList<>();
        for (Path f : RuntimeFiles.regularFiles(layout.logsDir())) {
            if (!Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                out.add(BackupSet.Entry.log("logs/" + RuntimeFiles.relative(layout.logsDir(), f), f));
            }
        }
        return out;
    }

    private Path workDir(String backupId) throws IOException {
        return WorkDir.create(layout.archiveDir(), backupId);
    }

}
