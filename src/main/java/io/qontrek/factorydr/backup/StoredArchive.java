package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** An archive that is complete, verified and under its final name, with its signed manifest. */
public record StoredArchive(Path file, Manifest manifest, Instant started, Instant finished) {

    public long contentBytes() {
        return manifest.files().contentBytes();
    }

    /** One line for the log: what was written and how big. Never the content. */
    public String summary() {
        return String.format("wrote %s: %d files, %.1f MB in, %.1f MB archived, verified, %.1f s", manifest.archive().name(),
                manifest.files().count(), contentBytes() / 1e6, manifest.archive().size() / 1e6, took().toMillis() / 1000.0);
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
