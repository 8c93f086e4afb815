package io.qontrek.factorydr.governance;

import io.qontrek.factorydr.catalog.Catalog.FlowRuns;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.RuntimeDatabase;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The newest recovery point of each kind of data the runbook's RPO covers: the proof files and each
 * of the three databases. A recovery point of a kind is an archive that is catalogued, on disk and
 * holds that kind at its time: any full holds them all; an incremental holds the proof files that
 * changed, and each database it recorded in its manifest (incrementals written before databases
 * travelled in them hold none). An incremental run that found nothing changed, neither proof files
 * nor databases, after such an archive moves every kind's point to its own time. Daily proof
 * archives do not count: they cover a day that has already ended. Read from the catalog only.
 */
public final class RecoveryPoints {
    /** The kind that is the proof files; the databases are known by their manifest names. */
    public static final String PROOF_FILES = "proof";

    private RecoveryPoints() {}

    /**
     * The newest point of one kind: when, what it is, and whether its archive is missing from disk;
     * {@code at} null when there is none.
     */
    public record Point(String kind, Instant at, String what, boolean archiveMissing) {
        /** Its age at {@code now}, or null when there is no point. */
        public Duration age(Instant now) {
            return at == null ? null : Duration.between(at, now);
        }
    }

    /** Every kind in a fixed order: proof, federation_ledger, nonce_store, receipts. */
    public static List<String> kinds() {
        List<String> out = new ArrayList<>(List.of(PROOF_FILES));
        for (RuntimeDatabase db : RuntimeDatabase.inOrder()) out.add(db.dbName());
        return out;
    }

    /**
     * @param archives the catalog's archives, oldest first
     * @param recorded for each backup_id, the databases its manifest names (Catalog#databasesRecorded)
     */
    public static List<Point> of(RuntimeLayout layout, List<CatalogEntry> archives, Map<String, Set<String>> recorded,
            Map<String, FlowRuns> runs, String incrementalFlow) {
        Instant nothingChanged = null;
        FlowRuns inc = runs.get(incrementalFlow);
        if (inc != null && inc.lastOk() != null && "nothing-to-do".equals(inc.lastOk().outcome())) {
            nothingChanged = Gates.instant(inc.lastOk().startedAt());
        }
        List<Point> out = new ArrayList<>();
        for (String kind : kinds()) {
            CatalogEntry newest = null;
            for (int i = archives.size() - 1; i >= 0 && newest == null; i--) {
                CatalogEntry e = archives.get(i);
                boolean holds = "full".equals(e.type()) || "incremental".equals(e.type())
                        && (PROOF_FILES.equals(kind) || recorded.getOrDefault(e.backupId(), Set.of()).contains(kind));
                if (holds) newest = e;
            }
            if (newest == null) {
                out.add(new Point(kind, null, "no full or incremental backup holds it", false));
                continue;
            }
            if (!Files.isRegularFile(layout.archiveDir().resolve(newest.name()))) {
                out.add(new Point(kind, Gates.instant(newest.createdAt()), "the " + newest.type() + " backup " + newest.name()
                        + " is catalogued but its archive is missing from " + layout.archiveDir(), true));
                continue;
            }
            Instant at = Gates.instant(newest.createdAt());
            String what = newest.type() + " backup " + newest.name();
            if (nothingChanged != null && at != null && nothingChanged.isAfter(at)) {
                at = nothingChanged;
                what = "incremental run with nothing changed since " + newest.name();
            }
            out.add(new Point(kind, at, what, false));
        }
        return out;
    }
}
