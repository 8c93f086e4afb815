package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.catalog.CatalogEntry;
import java.time.Instant;
import java.util.List;

/**
 * The archives one restore applies, in the order it applies them: the full first, then every other
 * archive by {@code created_at}. A later archive's file replaces an earlier one's.
 *
 * @param requested the date asked for (YYYY-MM-DD) or "latest"
 * @param upTo the restore point: the end of that day (UTC, last nanosecond), or now for "latest"
 */
public record RestorePlan(String requested, Instant upTo, List<CatalogEntry> archives) {
    public RestorePlan {
        archives = List.copyOf(archives);
        if (archives.isEmpty() || !"full".equals(archives.get(0).type())) {
            throw new IllegalArgumentException("a restore plan starts with a full backup");
        }
    }

    public CatalogEntry full() {
        return archives.get(0);
    }

    public List<CatalogEntry> incrementals() {
        return ofType("incremental");
    }

    public List<CatalogEntry> proofDailies() {
        return ofType("proof-daily");
    }

    public List<String> backupIds() {
        return archives.stream().map(CatalogEntry::backupId).toList();
    }

    /** The highest proof seq the plan's archives hold, or null when none holds a proof. */
    public Long proofHeadSeq() {
        Long best = null;
        for (CatalogEntry e : archives) {
            if (e.proofHeadSeq() != null && (best == null || e.proofHeadSeq() > best)) best = e.proofHeadSeq();
        }
        return best;
    }

    private List<CatalogEntry> ofType(String type) {
        return archives.stream().filter(e -> type.equals(e.type())).toList();
    }
}
