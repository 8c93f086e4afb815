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
    /** Each try reads and decrypts a whole full: a restore that already failed waits for three at most. */
    static final int MOST_TRIED = 3;

    private OlderFull() {}

    /** What the search found: the full that verifies (if any), how many were read, and how many older ones were left unread. */
    public record Search(Optional<CatalogEntry> found, int tried, int untried, Optional<CatalogEntry> nextUntried) {}

    /**
     * The newest full created before {@code failed} (a name relative to the archive directory) that
     * {@code verifies} accepts, trying at most {@link #MOST_TRIED} of those present here, newest first.
     */
    public static Search thatVerifies(List<CatalogEntry> catalog, String failed, Path archiveDir, Predicate<Path> verifies) {
        CatalogEntry bad = catalog.stream().filter(e -> e.name().equals(failed)).findFirst().orElse(null);
        if (bad == null) return new Search(Optional.empty(), 0, 0, Optional.empty());
        Instant before = Instant.parse(bad.createdAt());
        List<CatalogEntry> older = catalog.stream()
                .filter(e -> "full".equals(e.type()) && Instant.parse(e.createdAt()).isBefore(before))
                .filter(e -> Files.isRegularFile(archiveDir.resolve(e.name())))
                .sorted(Comparator.comparing((CatalogEntry e) -> Instant.parse(e.createdAt())).reversed())
                .toList();
        int tried = 0;
        for (CatalogEntry e : older) {
            if (tried == MOST_TRIED) break;
            tried++;
            if (verifies.test(archiveDir.resolve(e.name()))) return new Search(Optional.of(e), tried, older.size() - tried, Optional.empty());
        }
        return new Search(Optional.empty(), tried, older.size() - tried, older.stream().skip(tried).findFirst());
    }

    /** The sentence appended to the failure: what to run, or what was tried and where else to look. */
    public static String advice(Search search, Path archiveDir) {
        if (search.found().isPresent()) {
            CatalogEntry e = search.found().get();
            return "; the older full " + e.name() + " (" + e.createdAt() + ") verifies and would restore: "
                    + "factory-dr restore --archive=" + archiveDir.resolve(e.name());
        }
        String tried = search.tried() == 0 ? "; no older full backup is here"
                : "; the " + (search.tried() == 1 ? "older full here does" : search.tried() + " newest older fulls here do") + " not verify either";
        String rest = search.nextUntried().map(e -> " (" + search.untried() + " older not tried; the next: factory-dr verify archive "
                + archiveDir.resolve(e.name()) + ")").orElse("");
        return tried + rest + "; offsite copies: factory-dr offsite download";
    }
}
