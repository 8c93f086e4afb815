package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.catalog.CatalogReads;
import io.qontrek.factorydr.catalog.Catalog.FlowRuns;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether factory-dr can do its job right now. Unhealthy (HTTP 503): a route that should run is not
 * started, the archive directory is not writable, the catalog cannot be read, or a runtime directory
 * is missing. Degraded: the last run of a backup flow or of an offsite copy failed, the archive
 * file system has less free space than factory.health.min-free-disk-mb, an edit of a route file
 * was refused, or the configuration file no longer says what the service runs with.
 *
 * <p>Cheap by design (a probe may call it every few seconds): no archive is read, S3 is not
 * contacted (the last offsite run's outcome stands for its reachability), the catalog is read
 * with one grouped query.
 */
public final class HealthChecks {
    static final List<String> BACKUP_FLOWS = List.of("backup-full", "backup-incremental", "proof-daily-archive", "alert-archive");
    static final List<String> OFFSITE_FLOWS = List.of("offsite-upload", "offsite-catch-up");

    private final RuntimeLayout layout;
    private final java.nio.file.Path catalogDb;
    private final boolean offsiteEnabled;
    private final long minFreeBytes;

    public HealthChecks(RuntimeLayout layout, boolean offsiteEnabled, long minFreeBytes) {
        this.layout = layout;
        this.catalogDb = layout.catalogDb();
        this.offsiteEnabled = offsiteEnabled;
        this.minFreeBytes = minFreeBytes;
    }

    /** factory.health.min-free-disk-mb, in bytes: below it the disk check is degraded (0: never). */
    public static long minFreeBytes(Settings settings) {
        return settings.getInt("factory.health.min-free-disk-mb", 0, Integer.MAX_VALUE) * 1024L * 1024L;
    }

    /**
     * Every check; {@code service} are the caller's views of the running service (see ApiBeans): its
     * Camel routes, refused route edits, a configuration file changed since start. A {@code catalog}
     * that throws when read makes the catalog check unhealthy, saying why.
     */
    public HealthReport check(CatalogReads catalog, Check... service) {
        List<Check> checks = new ArrayList<>(List.of(service));
        checks.add(runtimeDirs());
        checks.add(archiveWritable());
        checks.add(diskSpace());
        Map<String, FlowRuns> runs;
        try {
            runs = catalog.flowRuns();
            int n = catalog.archives().size();
            checks.add(Check.healthy("catalog", n + (n == 1 ? " archive" : " archives") + " in " + catalogDb));
        } catch (RuntimeException e) {
            checks.add(Check.unhealthy("catalog", "cannot read the catalog " + catalogDb + ": " + e.getMessage()));
            return HealthReport.of(checks);
        }
        checks.add(lastRuns("backups", BACKUP_FLOWS, runs));
        checks.add(offsiteEnabled ? lastRuns("offsite", OFFSITE_FLOWS, runs)
                : Check.healthy("offsite", "offsite copies disabled (factory.s3.enabled=false)"));
        return HealthReport.of(checks);
    }

    Check runtimeDirs() {
        // a restore killed mid-swap leaves the directories half swapped (all of them there, or one moved
        // aside), which a backup refuses: first, as it explains a missing one; only its journal shows it
        try {
            java.util.Optional<Path> journal = io.qontrek.factorydr.restore.RestoreStaging.halfRestored(layout);
            if (journal.isPresent()) {
                return Check.unhealthy("runtime", layout.root() + " is half restored: a restore was killed half-way through its swap ("
                        + journal.get() + "), and backups refuse it; run `factory-dr restore` again to take the swap back and restore");
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return Check.unhealthy("runtime", "cannot list " + layout.root() + ": " + e.getMessage());
        }
        List<String> missing = new ArrayList<>();
        for (Path d : List.of(layout.proofDir(), layout.configDir(), layout.dataDir(), layout.logsDir())) {
            if (!Files.isDirectory(d)) missing.add(d.toString());
        }
        if (!missing.isEmpty()) return Check.unhealthy("runtime", "missing: " + String.join(", ", missing) + " (backups cannot run; restore?)");
        return Check.healthy("runtime", "proof, config, data and logs directories present under " + layout.root());
    }

    /**
     * Whether this process may write the archive directory (access(2), which writes nothing): a probe
     * must leave the archive directory as it found it. A directory not yet created counts if its
     * parent is writable.
     */
    Check archiveWritable() {
        Path dir = layout.archiveDir();
        if (!Files.isDirectory(dir)) {
            Path parent = dir.getParent();
            while (parent != null && !Files.exists(parent)) parent = parent.getParent();
            return parent != null && Files.isWritable(parent)
                    ? Check.healthy("archive", dir + " not created yet; " + parent + " is writable")
                    : Check.unhealthy("archive", dir + " does not exist and cannot be created");
        }
        return Files.isWritable(dir) ? Check.healthy("archive", dir + " is writable")
                : Check.unhealthy("archive", dir + " is not writable by this process");
    }

    Check diskSpace() {
        Path p = layout.archiveDir();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null) return Check.unhealthy("disk", "no existing directory above " + layout.archiveDir());
        try {
            long free = Files.getFileStore(p).getUsableSpace();
            String text = String.format("%.1f GiB free on the archive file system (minimum %.1f GiB, factory.health.min-free-disk-mb)",
                    free / 1073741824.0, minFreeBytes / 1073741824.0);
            return free >= minFreeBytes ? Check.healthy("disk", text) : Check.degraded("disk", text);
        } catch (IOException e) {
            return Check.degraded("disk", "cannot read free space of " + p + ": " + e.getMessage());
        }
    }

    static Check lastRuns(String name, List<String> flows, Map<String, FlowRuns> runs) {
        List<String> failed = new ArrayList<>();
        List<String> fine = new ArrayList<>();
        for (String flow : flows) {
            FlowRuns r = runs.get(flow);
            if (r == null) continue;
            if ("failed".equals(r.last().outcome())) {
                String d = r.last().detail() == null ? "" : ": " + r.last().detail().replaceAll("\\s+", " ");
                failed.add(flow + " failed at " + r.last().finishedAt() + (d.length() > 200 ? d.substring(0, 200) + "..." : d));
            } else {
                fine.add(flow + " " + r.last().outcome() + " at " + r.last().finishedAt());
            }
        }
        if (!failed.isEmpty()) return Check.degraded(name, "last run failed: " + String.join("; ", failed));
        return Check.healthy(name, fine.isEmpty() ? "no runs yet" : "last runs: " + String.join("; ", fine));
    }
}
