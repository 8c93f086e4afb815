package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.config.RuntimeLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One restore as it moves through the restore route: what was asked, the archives chosen, where
 * they are staged, what the checks found, and what the swap did. Each step fills in its part.
 */
public final class RestoreJob {
    /** A date (YYYY-MM-DD) or "latest"; null when one given archive is restored. */
    public final String requested;
    /** The one archive to restore (--archive), or null. */
    public final Path archive;
    public final RuntimeSwap.Scope scope;
    public final boolean verify;
    public final boolean dryRun;
    /** The runtime restored into: the live one, or --target. */
    public final RuntimeLayout target;

    /** The archive files to apply, in order (full first). */
    public final List<Path> archives = new ArrayList<>();
    /** Their names relative to the archive directory (full/..., incremental/...), as the catalog and S3 know them. */
    public final List<String> names = new ArrayList<>();
    public final List<String> backupIds = new ArrayList<>();
    /** Live config files the archives left out (secrets) or redacted: the live copies are kept. */
    public final Set<String> keepLive = new LinkedHashSet<>();
    public Path staging;
    /**
     * The disk the archives' files take once written, by the catalog: their bytes and a block each (logs
     * included, so more than is written); -1 when the catalog does not know.
     */
    public long roomNeeded = -1;
    /** What killed runs left (a restore's staging, a drill's copy), resolved by the sweep, deleted after the swap. */
    public final List<io.qontrek.factorydr.backup.WorkDir.Dead> deadWork = new ArrayList<>();
    /** Whether this restore made the target's directory (a new --target): a failed or dry run removes it again. */
    public boolean madeTarget;
    public long files;
    public long bytes;
    /** Proof files an archive after the first replaced: changed in place, so their receipt rows may be stale. */
    public long proofFilesReplaced;
    /** The staged databases' heads as the deltas applied so far left them (DeltaReplay), by name. */
    public final java.util.Map<String, io.qontrek.factorydr.archive.Manifest.TableHead> databaseHeads = new java.util.HashMap<>();
    /** The staged databases a delta was applied to: not the snapshots the backup checked any more. */
    public final Set<String> databasesReplayed = new LinkedHashSet<>();
    /** What the checks of the staged runtime did or found, and what the restore deleted of killed runs, one line each. */
    public final List<String> checks = new ArrayList<>();
    public RuntimeSwap.Description description;
    public RuntimeSwap.Result swapped;

    public RestoreJob(String requested, Path archive, RuntimeSwap.Scope scope, boolean verify, boolean dryRun,
            RuntimeLayout target) {
        this.requested = requested;
        this.archive = archive;
        this.scope = scope;
        this.verify = verify;
        this.dryRun = dryRun;
        this.target = target;
    }

    /** Archives of the plan that are not in the local archive directory: to be fetched from offsite. */
    public List<String> missingLocally() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (!java.nio.file.Files.isRegularFile(archives.get(i))) out.add(names.get(i));
        }
        return out;
    }

    /** For the route's dry-run choice. */
    public boolean isDryRun() {
        return dryRun;
    }

    /** The staged runtime, laid out like the target. */
    public RuntimeLayout stagedLayout() {
        return RuntimeLayout.under(staging, target.archiveDir());
    }

    @Override
    public String toString() {
        return "restore " + (archive != null ? archive : requested) + " (scope " + scope.wire() + ") into " + target.root();
    }
}
