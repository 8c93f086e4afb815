package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.FileList;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A backup's tripwire: a backup that sees the runtime shrink says so, loudly, and is still written,
 * since it may be all there is. It judges one full or incremental backup against what the catalog
 * recorded of the backups before it; each finding is one line, raised as an alert, printed by the
 * command and recorded in the catalog, where it makes retention keep the backup taken before it until
 * an operator acknowledges it ({@code factory-dr tripwire ack}). The archive's signed manifest names
 * ({@code tripwires}) every finding but those on the archive's own size, which exist only after its
 * manifest.json, the last tar entry that the sidecar must equal, has been written.
 *
 * <p>What it finds, and against what:
 * <ul>
 *   <li>a proof head or ledger head below the previous backup's. Full and incremental backups both list
 *       all of proof/ and read the ledger, so the previous one of either kind is the reference (no proof
 *       file left, or an empty ledger, is a head of none);</li>
 *   <li>proof files an earlier archive holds that the runtime lacks ({@link MissingProofs}), found by the
 *       incremental's own merge of its listing with the catalog, or, for a full, by merging its file list
 *       as it is sealed. A loss that an earlier backup since the last full reported in the same words is
 *       still the same loss: it is not reported again;</li>
 *   <li>a database snapshot ({@code data/<name>.db}) under half the size of the newest earlier one;</li>
 *   <li>full backups only: an archive under half the previous full's size, or under the runbook's floor
 *       ({@code factory.backup.tripwire.min-archive-bytes}; 0 turns it off). An incremental is as big as
 *       its change and an alerts archive as the day's alerts: no size rule applies to them.</li>
 * </ul>
 *
 * <p>It works in three moments, because its facts appear at three: {@link #start} (the route's
 * checkShrink step, before the tar) reads the previous backups and judges the proof head and the
 * incremental's missing proofs; {@link #sealed} (when the tar has taken every entry, before its
 * manifest.json) judges the ledger head, the snapshots and the full's missing proofs; {@link #written}
 * (the archive file complete, before the sidecar manifest is signed) judges the archive's size.
 */
public final class ShrinkCheck {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShrinkCheck.class);
    private static final Set<String> CHECKED = Set.of("full", "incremental");
    public static final String MIN_ARCHIVE_BYTES = "factory.backup.tripwire.min-archive-bytes";

    private final Catalog catalog;
    private final BackupSet set;
    private final long minArchiveBytes;
    private final CatalogEntry previous;       // the newest full or incremental before it
    private final CatalogEntry previousLedger; // the newest before it that read the ledger
    private final CatalogEntry previousFull;   // the newest full before it
    private final List<String> findings = new ArrayList<>();
    private List<String> sealed; // the findings up to the seal, which the manifest names
    private boolean written;

    private ShrinkCheck(Catalog catalog, BackupSet set, long minArchiveBytes) {
        this.catalog = catalog;
        this.set = set;
        this.minArchiveBytes = minArchiveBytes;
        CatalogEntry p = null;
        CatalogEntry l = null;
        CatalogEntry f = null;
        for (CatalogEntry e : catalog.archives()) { // oldest first
            if (!CHECKED.contains(e.type()) || !Instant.parse(e.createdAt()).isBefore(set.createdAt())) continue;
            p = e;
            if (e.type().equals("full")) f = e;
            if (e.type().equals("full") || e.ledgerHeadSeq() != null) l = e;
        }
        this.previous = p;
        this.previousLedger = l;
        this.previousFull = f;
    }

    /**
     * Starts the tripwire of a full or incremental backup: reads what the backups before it recorded and
     * judges what the collected set already knows.
     *
     * @param minArchiveBytes the floor of a full backup's archive size; 0 for none
     */
    public static ShrinkCheck start(Catalog catalog, BackupSet set, long minArchiveBytes) {
        if (!CHECKED.contains(set.type())) {
            throw new IllegalStateException("checkShrink judges full and incremental backups, not a " + set.type() + " archive ("
                    + set.name() + "): take it out of that route");
        }
        ShrinkCheck c = new ShrinkCheck(catalog, set, minArchiveBytes);
        c.proofHead();
        if (set.missingProofs() != null) c.missing(set.missingProofs());
        return c;
    }

    /** Every finding so far, in the order found. */
    public List<String> findings() {
        return List.copyOf(findings);
    }

    /**
     * The findings once the tar has taken every entry (these are the archive's file records, in archive
     * order): the ledger head, the database snapshots and, for a full, the proof files gone, with those
     * of {@link #start}. What the manifest names. Judged once; a second call returns the same.
     */
    public List<String> sealed(FileList records) {
        if (sealed != null) return sealed;
        long t0 = System.nanoTime();
        ledgerHead();
        boolean full = set.type().equals("full");
        List<FileRecord> databases = new ArrayList<>();
        // one pass over the archive's own file list; its proof/ part is the full's listing, in byte order
        try (MissingProofs.Merge merge = full ? MissingProofs.merge(catalog.latestFiles("proof/")) : null) {
            for (FileRecord r : records) {
                String p = r.path();
                if (merge != null && p.startsWith("proof/")) merge.listed(p.substring("proof/".length()));
                else if (isDatabaseSnapshot(p)) databases.add(r);
            }
            if (merge != null) missing(merge.finish());
        }
        for (FileRecord db : databases) databaseSize(db);
        LOG.info("{}: tripwire judged its {} files against the catalog in {} ms", set.backupId(), records.count(),
                (System.nanoTime() - t0) / 1_000_000);
        sealed = findings();
        return sealed;
    }

    /**
     * Judges, once the archive file is complete, its size: for a full, against the floor and the previous
     * full. These come after the manifest was sealed, so only {@link #findings} has them.
     */
    public void written(long archiveBytes) {
        if (written || !set.type().equals("full")) return;
        written = true;
        if (minArchiveBytes > 0 && archiveBytes < minArchiveBytes) {
            findings.add("archive is " + human(archiveBytes) + ", under the floor of " + human(minArchiveBytes) + " for a full backup ("
                    + MIN_ARCHIVE_BYTES + "=" + minArchiveBytes + ")");
        }
        if (previousFull != null && archiveBytes * 2 < previousFull.size()) {
            findings.add("archive is " + human(archiveBytes) + ", less than half of the previous full backup's " + human(previousFull.size())
                    + " (" + previousFull.backupId() + ")");
        }
    }

    private void proofHead() {
        if (previous == null || previous.proofHeadSeq() == null) return;
        long was = previous.proofHeadSeq();
        BackupSet.Head now = set.proofHead();
        if (now == null) {
            findings.add("proof head: no proof file is left in proof/, the previous backup " + previous.backupId() + " had seq " + was);
        } else if (now.seq() < was) {
            findings.add("proof head seq " + now.seq() + " is below seq " + was + " of the previous backup " + previous.backupId());
        }
    }

    private void ledgerHead() {
        BackupSet.Head now = set.ledgerHead();
        // a full snapshots the ledger, an incremental that names its databases took it (whole or as a delta)
        boolean readLedger = set.type().equals("full") || set.databases() != null || now != null;
        if (!readLedger || previousLedger == null || previousLedger.ledgerHeadSeq() == null) return;
        long was = previousLedger.ledgerHeadSeq();
        if (now == null) {
            findings.add("ledger head: the ledger is empty, the previous backup " + previousLedger.backupId() + " had seq " + was);
        } else if (now.seq() < was) {
            findings.add("ledger head seq " + now.seq() + " is below seq " + was + " of the previous backup " + previousLedger.backupId());
        }
    }

    private void missing(MissingProofs m) {
        String f = m.finding();
        if (f == null) return;
        // the proof files the catalog holds are those of the newest full and the archives after it
        String since = previousFull == null ? "" : previousFull.createdAt();
        if (catalog.tripwireRaisedSince(f, since)) {
            LOG.info("{}: still gone, as an earlier backup reported: {}", set.backupId(), f);
            return;
        }
        findings.add(f);
    }

    private void databaseSize(FileRecord db) {
        catalog.newestCopy(db.path(), set.createdAt().toString()).ifPresent(before -> {
            if (db.size() * 2 < before.size()) {
                findings.add(db.path() + " is " + human(db.size()) + ", less than half of its previous snapshot's " + human(before.size())
                        + " (" + before.backupId() + ")");
            }
        });
    }

    /** data/<name>.db, a whole snapshot; a delta (data/<name>.delta.db) holds only what was added and is not comparable. */
    static boolean isDatabaseSnapshot(String path) {
        return path.startsWith("data/") && path.endsWith(".db") && path.indexOf('/', "data/".length()) < 0
                && !path.endsWith(".delta.db");
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format("%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format("%.1f MiB", bytes / 1048576.0);
        return String.format("%.2f GiB", bytes / 1073741824.0);
    }
}
