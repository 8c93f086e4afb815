package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.backup.ArchiveExistsException;
import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
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

    /** The chain's archives: named by the time they were taken, so no retry ever meets their name. */
    static final List<String> TIME_NAMED = List.of("full", "incremental");

    /**
     * The full and incremental archives a run published and was killed before recording: nothing else
     * finds them (no retry takes their names), so list, status and catch-up never saw them and the next
     * incremental built past them. Each that verifies whole is recorded, with a warning; one that does
     * not is named in a warning and left for the operator. Called under the backup chain's lock, which
     * the run that published it held: no run of the chain is between its publish and its record.
     *
     * @return one line per archive recorded or left
     */
    public static List<String> adoptChain(Path archiveDir, Catalog catalog, byte[] archiveKey, byte[] signingSecret)
            throws IOException {
        List<String> said = new ArrayList<>();
        // fulls and incrementals in the order they were taken: the first that is not adopted stops the rest
        List<Path> archives = new ArrayList<>();
        for (String sub : TIME_NAMED) {
            Path dir = archiveDir.resolve(sub);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".tar.gz.enc")).forEach(archives::add);
            }
        }
        if (archives.isEmpty()) return said;
        archives.sort(Comparator.comparing((Path p) -> stamp(p.getFileName().toString())).thenComparing(Path::toString));
        Set<String> known = new HashSet<>();
        String newest = "";
        for (CatalogEntry e : catalog.archives()) {
            known.add(e.name());
            if (TIME_NAMED.contains(e.type()) && stamp(e.name()).compareTo(newest) > 0) newest = stamp(e.name());
        }
        for (Path file : archives) {
            String name = file.getParent().getFileName() + "/" + file.getFileName();
            // only one newer than the chain's newest record: the run killed just before this one. An older
            // one (moved back by hand, or one that did not verify and a later backup passed) is the
            // rebuild's, and is not read again on every run
            if (stamp(name).compareTo(newest) <= 0) continue;
            // an archive without both sidecars is a publish killed half-way: the sweep's (Leftovers)
            if (known.contains(name) || !Files.exists(Sidecars.manifestPath(file)) || !Files.exists(Sidecars.sha256Path(file))) continue;
            Manifest m;
            try {
                m = new ArchiveVerifier().verify(file, archiveKey, signingSecret).manifest();
            } catch (ArchiveException e) {
                return left(said, file + " is not in the catalog and does not verify (" + e.getMessage() + "): left as it is, and"
                        + " nothing after it adopted (it would build on it); move it aside and take a new full backup");
            }
            try (m) {
                if (!m.archive().name().equals(name)) {
                    return left(said, file + " is not in the catalog, and its manifest names " + m.archive().name() + ": left as it is");
                }
                Instant verified = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                StoredArchive a = new StoredArchive(file, m, verified, verified);
                catalog.recordIfAbsent(a.catalogEntry(), a.fileRows(), m.databases());
                if (m.tripwires() != null) catalog.recordTripwiresIfAbsent(a.catalogEntry(), m.tripwires());
            }
            String line = file + " was published by a run killed before recording it; it verifies whole: recorded";
            LOG.warn(line);
            said.add(line);
        }
        return said;
    }

    /** The archive that stops the adoption, warned of: one built on it recorded without it would break the chain's restores. */
    private static List<String> left(List<String> said, String line) {
        LOG.warn(line);
        said.add(line);
        return said;
    }

    /** The time in a full's or incremental's name (full/20261208T061107Z.tar.gz.enc): ordered as text. */
    private static String stamp(String name) {
        String file = name.substring(name.lastIndexOf('/') + 1);
        int dot = file.indexOf('.');
        return dot < 0 ? file : file.substring(0, dot);
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
