package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An archive that is complete, verified and under its final name, with its signed manifest.
 *
 * @param tripwires every finding of the backup's tripwire: those its manifest names, then those judged on
 *     the archive's own size ({@link ShrinkCheck#written}), which the manifest cannot name
 */
public record StoredArchive(Path file, Manifest manifest, Instant started, Instant finished, List<String> tripwires) {
    public StoredArchive {
        tripwires = List.copyOf(tripwires);
    }

    /** An archive read back from its sidecar (the service wrote it): the findings its manifest names. */
    public StoredArchive(Path file, Manifest manifest, Instant started, Instant finished) {
        this(file, manifest, started, finished, manifest.tripwires() == null ? List.of() : manifest.tripwires());
    }

    public long contentBytes() {
        return manifest.files().contentBytes();
    }

    /** One line for the log: what was written and how big, and the tripwire's findings. Never the content. */
    public String summary() {
        String line = String.format("wrote %s: %d files, %.1f MB in, %.1f MB archived, verified, %.1f s", manifest.archive().name(),
                manifest.files().count(), contentBytes() / 1e6, manifest.archive().size() / 1e6, took().toMillis() / 1000.0);
        return tripwires().isEmpty() ? line : line + "; TRIPWIRE (" + tripwires().size() + "): " + String.join("; ", tripwires());
    }

    public Duration took() {
        return Duration.between(started, finished);
    }

    public CatalogEntry catalogEntry() {
        return CatalogEntry.of(manifest, finished.toString(), null);
    }

    public Iterable<Catalog.FileRow> fileRows() {
        return CatalogEntry.rows(manifest);
    }
}
