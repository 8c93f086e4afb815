package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An archive a run published and was killed before recording (the window between the last sidecar's
 * link and the catalog's row). Its name is taken, so without this a date-named archive (a day's
 * proofs or alerts) could never be written again, and every retry would alert "already exists".
 * Publishing links the sidecars only after the archive, and the archive only after it was read back
 * and verified, so an archive whose signed manifest names it, at its size, is complete: it is taken
 * as this run's result and recorded, instead of writing the same day again.
 */
public final class UnrecordedArchive {
    private static final Logger LOG = LoggerFactory.getLogger(UnrecordedArchive.class);

    private UnrecordedArchive() {}

    /**
     * The archive at {@code name} (relative to {@code archiveDir}), when the catalog does not know it
     * and its manifest can be trusted; empty otherwise (the name is then rightly refused).
     */
    public static Optional<StoredArchive> adoptable(Path archiveDir, Catalog catalog, String name, byte[] signingSecret, Instant now) {
        if (catalog.byName(name).isPresent()) return Optional.empty();
        Path file = archiveDir.resolve(name);
        Manifest m;
        try {
            m = CatalogRebuilder.trusted(file, name, signingSecret);
        } catch (ArchiveException notOurs) {
            LOG.warn("{} exists, is not in the catalog and cannot be taken as a finished backup: {}", file, notOurs.getMessage());
            return Optional.empty();
        }
        LOG.warn("{} was published by a run killed before recording it; its signed manifest names it at its size: recorded as this run's archive",
                file);
        return Optional.of(new StoredArchive(file, m, now, now));
    }
}
