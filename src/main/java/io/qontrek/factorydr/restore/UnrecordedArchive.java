package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.backup.ArchiveExistsException;
import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A date-named archive (a day's proofs or alerts) a run published and was killed before recording
 * (the window between the last sidecar's link and the catalog's row). Its name is taken, so without
 * this that day could never be archived again, and every retry would alert "already exists". It is
 * taken as this run's result only when the catalog does not know it, it verifies whole (signed
 * manifest naming it, SHA-256, every file's hash), and it holds exactly the files, at their sizes,
 * that this run collected; otherwise the name stays refused, saying why.
 */
public final class UnrecordedArchive {
    private static final Logger LOG = LoggerFactory.getLogger(UnrecordedArchive.class);
    /** Archives named by their day: the only ones a retry writes under the same name. */
    static final Set<String> DATE_NAMED = Set.of("proof-daily", "alerts");

    private UnrecordedArchive() {}

    /**
     * Whether a taken name could be {@code set}'s unrecorded archive: a day's archive the catalog does not
     * know. Only then is it worth judging, once this run's own archive is ready ({@link #adoptOrRefuse}).
     */
    public static boolean mayAdopt(Catalog catalog, BackupSet set) {
        return DATE_NAMED.contains(set.type()) && catalog.byName(set.name()).isEmpty();
    }

    /** The archive at {@code set}'s name as this run's result, or {@code taken} with the reason it is not one. */
    public static StoredArchive adoptOrRefuse(Path archiveDir, Catalog catalog, BackupSet set, byte[] archiveKey, byte[] signingSecret,
            Instant now, ArchiveExistsException taken) throws IOException {
        if (!mayAdopt(catalog, set)) throw taken;
        Path file = archiveDir.resolve(set.name());
        String mismatch;
        Manifest m;
        try {
            m = new ArchiveVerifier().verify(file, archiveKey, signingSecret).manifest();
        } catch (ArchiveException e) {
            throw refused(taken, "it is not in the catalog and does not verify (" + e.getMessage() + ")");
        }
        try {
            mismatch = differs(m, set);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        if (mismatch != null) {
            m.close();
            throw refused(taken, "it is not in the catalog, and it holds other files than this run collected (" + mismatch
                    + "); move it aside to archive the day again");
        }
        LOG.warn("{} was published by a run killed before recording it; it verifies and holds what this run collected:"
                + " recorded as this run's archive", file);
        return new StoredArchive(file, m, now, now);
    }

    /** The first difference between the archive's files and the run's entries (path, then size), or null. */
    static String differs(Manifest m, BackupSet set) throws IOException {
        Iterator<FileRecord> archived = m.files().iterator();
        for (BackupSet.Entry e : set.entries()) {
            if (!archived.hasNext()) return "it lacks " + e.path();
            FileRecord r = archived.next();
            if (!r.path().equals(e.path())) return "it has " + r.path() + " where this run has " + e.path();
            long size = e.bytes() != null ? e.bytes().length : Files.size(e.source());
            if (r.size() != size) return e.path() + " is " + r.size() + " bytes there, " + size + " now";
        }
        return archived.hasNext() ? "it also holds " + archived.next().path() : null;
    }

    private static ArchiveExistsException refused(ArchiveExistsException taken, String why) {
        return new ArchiveExistsException(taken.getMessage() + ": " + why);
    }
}
