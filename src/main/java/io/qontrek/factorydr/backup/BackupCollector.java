package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.Futures;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.DailyDigest;
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
import java.util.concurrent.Future;

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
        layout.requireRuntime();
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
                    BackupSet.Entry.pending("data/federation_ledger.db", ledger, snapshots.copy(ledger)),
                    BackupSet.Entry.pending("data/nonce_store.db", nonces, snapshots.copy(nonces)),
                    BackupSet.Entry.pending("data/receipts.db", receipts, snapshots.copy(receipts)));
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
     * kind, judged against what the catalog recorded rather than by reading archives. A known file
     * of another size goes in; one of the same size is hashed only when it changed after that
     * backup, and goes in when its hash differs. Its base is the last backup's id.
     */
    public BackupSet incremental(Instant now, Catalog catalog) throws IOException {
        RuntimeLayout.requireDir(layout.proofDir(), "proof directory (factory.proof-dir)");
        List<BackupSet.Entry> entries = new ArrayList<>();
        List<FileScan.Scanned> files;
        CatalogEntry last;
        try (ParallelIo io = new ParallelIo()) {
            // The proof files are listed and stat'ed many at a time on the pool while the catalog is read here.
            Future<List<FileScan.Scanned>> scan = io.pool().submit(() -> FileScan.regularFiles(layout.proofDir(), io));
            last = catalog.newest(Set.of("full", "incremental", "proof-daily"))
                    .orElseThrow(() -> new IOException("no backup to build an incremental on: run 'backup full' first"));
            long since = Instant.parse(last.createdAt()).toEpochMilli();
            Map<String, Catalog.Recorded> known = catalog.latestFiles("proof/");
            files = result(scan);
            // new files and files of another size go in; a known one of the same size is hashed (below,
            // in parallel) when it changed since, and goes in when its content did
            Path dir = layout.proofDir();
            boolean[] include = new boolean[files.size()];
            List<Integer> toHash = new ArrayList<>();
            Map<String, Catalog.Recorded> toCompare = new java.util.HashMap<>();
            for (int i = 0; i < files.size(); i++) {
                FileScan.Scanned f = files.get(i);
                Catalog.Recorded before = known.get(f.relative());
                if (before == null || before.size() != f.size()) {
                    include[i] = true;
                } else if (f.mtimeMillis() >= since) {
                    toHash.add(i);
                    toCompare.put(f.relative(), before);
                }
            }
            Map<String, String> recorded = catalog.sha256s("proof/", toCompare);
            List<String> hashes = io.map(toHash, i -> Hashes.sha256Hex(files.get(i).in(dir)));
            for (int k = 0; k < toHash.size(); k++) {
                int i = toHash.get(k);
                if (!hashes.get(k).equals(recorded.get(files.get(i).relative()))) include[i] = true;
            }
            List<Path> included = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                if (include[i]) included.add(files.get(i).in(dir));
            }
            // in path order, as RuntimeFiles.regularFiles lists them: sorting what goes in is enough
            java.util.Collections.sort(included);
            for (Path f : included) entries.add(BackupSet.Entry.file("proof/" + RuntimeFiles.relative(dir, f), f));
        }
        String stamp = STAMP.format(now);
        // the head comes from the files just listed, not from listing the directory again
        return new BackupSet("incremental", "incremental-" + stamp, "incremental/" + stamp + ".tar.gz.enc", now,
                last.backupId(), entries, proofHead(files.stream().map(FileScan.Scanned::relative)), null, List.of(), List.of(), null);
    }

    /** Daily proof archive: the proof files of one day (from its digest's seq range) and the digest itself. */
    public BackupSet proofDay(LocalDate day, Instant now) throws IOException {
        RuntimeLayout.requireDir(layout.proofDir(), "proof directory (factory.proof-dir)");
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
        RuntimeLayout.requireDir(layout.logsDir(), "logs directory (factory.logs-dir)");
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
