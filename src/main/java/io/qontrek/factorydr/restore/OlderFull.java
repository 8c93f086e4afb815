package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.catalog.CatalogEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * When the full a restore needs fails verification, the operator's next question is which full
 * would restore instead. This finds the newest older full whose archive is here and verifies whole,
 * so the answer is a command that works, not a guess.
 */
public final class OlderFull {
    private OlderFull() {}

    /**
     * The newest full created before {@code failed} (a name relative to the archive directory) that
     * {@code verifies} accepts, trying them newest first.
     */
    public static Optional<CatalogEntry> thatVerifies(List<CatalogEntry> catalog, String failed, Path archiveDir,
            Predicate<Path> verifies) {
        CatalogEntry bad = catalog.stream().filter(e -> e.name().equals(failed)).findFirst().orElse(null);
        if (bad == null) return Optional.empty();
        Instant before = Instant.parse(bad.createdAt());
        return catalog.stream()
                .filter(e -> "full".equals(e.type()) && Instant.parse(e.createdAt()).isBefore(before))
                .sorted(Comparator.comparing((CatalogEntry e) -> Instant.parse(e.createdAt())).reversed())
                .filter(e -> Files.isRegularFile(archiveDir.resolve(e.name())) && verifies.test(archiveDir.resolve(e.name())))
                .findFirst();
    }

    /** The sentence appended to the failure: what to run, or that nothing older helps. */
    public static String advice(Optional<CatalogEntry> older, Path archiveDir) {
        return older.map(e -> "; the older full " + e.name() + " (" + e.createdAt() + ") verifies and would restore: "
                        + "factory-dr restore --archive=" + archiveDir.resolve(e.name()))
                .orElse("; no older full backup here verifies either (offsite copies: factory-dr offsite download)");
    }
}
