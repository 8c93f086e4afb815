package io.qontrek.factorydr.retention;

import io.qontrek.factorydr.catalog.CatalogEntry;
import java.time.LocalDate;
import java.util.List;

/**
 * What retention removes and what it keeps, each archive with a one-line reason, in catalog order
 * (oldest first).
 */
public record RetentionPlan(LocalDate asOf, RetentionPolicy policy, List<Removal> removals, List<Kept> kept) {
    public RetentionPlan {
        removals = List.copyOf(removals);
        kept = List.copyOf(kept);
    }

    /** An archive that goes, and why. */
    public record Removal(CatalogEntry entry, String reason) {}

    /** An archive that stays, and why. */
    public record Kept(CatalogEntry entry, String reason) {}

    public long bytesToRemove() {
        return removals.stream().mapToLong(r -> r.entry().size()).sum();
    }

    public String summary() {
        return "as of " + asOf + ": " + removals.size() + " archives to remove (" + String.format("%.1f MB", bytesToRemove() / 1e6)
                + "), " + kept.size() + " kept";
    }
}
