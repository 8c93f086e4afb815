package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestSignature;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Recovers the catalog from the archive directory: every {@code X.manifest.json} under full/,
 * incremental/, proof/ and alerts/ whose signature verifies, whose {@code archive.name} is where it
 * lies, and whose archive file is there with the manifest's size, is recorded (with its file list)
 * unless the catalog already knows it. Anything else is skipped and reported, one line each, never
 * recorded: a catalog must only list archives a restore can trust.
 *
 * <p>The archive's SHA-256 and contents are not read here (a rebuild of a large archive directory
 * stays quick); the verify flow does that, and a restore verifies each archive before using it.
 * Entries are recorded with no {@code verified_at} for that reason.
 */
public final class CatalogRebuilder {
    /** The archive directory's sub-directories that hold archives with manifests. */
    public static final List<String> DIRECTORIES = List.of("full", "incremental", "proof", "alerts");
    private static final String MANIFEST_SUFFIX = ".manifest.json";
    private static final String ARCHIVE_SUFFIX = ".tar.gz.enc";

    /** Manifests looked at, archives newly recorded, archives the catalog already knew, and what was skipped and why. */
    public record Result(int manifests, int recorded, int alreadyKnown, List<String> problems) {
        public Result {
            problems = List.copyOf(problems);
        }
    }

    private CatalogRebuilder() {}

    /** In one transaction of the catalog ({@link Catalog#inOneTransaction}): all of it, or (killed, failed) none. */
    public static Result rebuild(Path archiveDir, Catalog catalog, byte[] signingSecret) throws IOException {
        return catalog.inOneTransaction(recorder -> rebuild(archiveDir, recorder, signingSecret));
    }

    private static Result rebuild(Path archiveDir, Catalog.Recorder catalog, byte[] signingSecret) throws IOException {
        int manifests = 0;
        int recorded = 0;
        int known = 0;
        List<String> problems = new ArrayList<>();
        List<Map.Entry<CatalogEntry, List<String>>> tripped = new ArrayList<>(); // manifests naming tripwires (few)
        for (String sub : DIRECTORIES) {
            Path dir = archiveDir.resolve(sub);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) continue;
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            }
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                String rel = sub + "/" + fileName;
                if (fileName.endsWith(ARCHIVE_SUFFIX) && !Files.exists(Sidecars.manifestPath(file), LinkOption.NOFOLLOW_LINKS)) {
                    problems.add(rel + ": no manifest sidecar");
                    continue;
                }
                if (!fileName.endsWith(MANIFEST_SUFFIX)) continue;
                manifests++;
                Path archive = file.resolveSibling(fileName.substring(0, fileName.length() - MANIFEST_SUFFIX.length()));
                String archiveRel = sub + "/" + archive.getFileName();
                Manifest m;
                try {
                    m = trusted(archive, archiveRel, signingSecret);
                } catch (ArchiveException e) {
                    problems.add(archiveRel + ": " + e.getMessage());
                    continue;
                }
                try (m) {
                    CatalogEntry e = CatalogEntry.of(m, null, null);
                    if (m.tripwires() != null) tripped.add(Map.entry(e, m.tripwires()));
                    if (catalog.recordIfAbsent(e, CatalogEntry.rows(m), m.databases())) {
                        if (++recorded == 1) io.qontrek.factorydr.common.TestPause.at("catalog-rebuild-recorded-one");
                    } else {
                        known++;
                    }
                }
            }
        }
        // once every archive is in, so that each tripwire holds the backup taken before its own, as when it was raised
        for (Map.Entry<CatalogEntry, List<String>> t : tripped) catalog.recordTripwiresIfAbsent(t.getKey(), t.getValue());
        return new Result(manifests, recorded, known, problems);
    }

    /** The manifest beside {@code archive}, if it can be trusted (sealed, signed, naming this archive of its size); else why not. */
    public static Manifest trusted(Path archive, String archiveRel, byte[] signingSecret) throws ArchiveException {
        Manifest m = Sidecars.readManifest(archive);
        try {
            check(m, archive, archiveRel, signingSecret);
        } catch (ArchiveException e) {
            m.close();
            throw e;
        }
        return m;
    }

    private static void check(Manifest m, Path archive, String archiveRel, byte[] signingSecret) throws ArchiveException {
        if (m.signature() == null || m.archive() == null) throw new ArchiveException("manifest is not sealed (no archive or signature)");
        if (!ManifestSignature.verify(m, signingSecret)) throw new ArchiveException("manifest signature does not verify");
        if (!m.archive().name().equals(archiveRel)) {
            throw new ArchiveException("manifest names archive '" + m.archive().name() + "', not this one");
        }
        if (!Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS)) throw new ArchiveException("archive file missing");
        long size;
        try {
            size = Files.size(archive);
        } catch (IOException e) {
            throw new ArchiveException("cannot read the archive size: " + e.getMessage(), e);
        }
        if (size != m.archive().size()) {
            throw new ArchiveException("archive is " + size + " bytes, the manifest says " + m.archive().size());
        }
    }

}
