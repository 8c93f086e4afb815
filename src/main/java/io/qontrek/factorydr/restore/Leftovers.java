package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.backup.ArchivePublisher;
import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every backup, restore and drill sweeps first, so that a run killed at any point (kill -9,
 * power cut) leaves nothing behind for long: the restore staging beside the runtime whose restore is
 * gone ({@link RestoreStaging}), the scratch work of processes that are gone, with any archive
 * publish they left half-done ({@link WorkDir}), and sidecars without their archive
 * ({@link ArchivePublisher#sweepOrphanSidecars}). Work of a process that still runs is never touched.
 */
public final class Leftovers {
    private Leftovers() {}

    /**
     * @param takeBack whether a swap killed half-way is taken back (a restore) or refused (a backup, a drill, a dry run)
     */
    public static void sweep(RuntimeLayout runtime, Path archiveDir, boolean takeBack) throws IOException {
        RestoreStaging.sweep(runtime, takeBack);
        WorkDir.sweepDead(archiveDir);
        ArchivePublisher.sweepOrphanSidecars(archiveDir, CatalogRebuilder.DIRECTORIES);
    }

    /**
     * A restore's sweep: as {@link #sweep}, except that dead work is only resolved (a swap taken back, a
     * publish undone), and returned for the restore to delete after its own swap: a killed restore's
     * staging beside the target ({@link RestoreStaging#resolve}), scratch of runs that are gone, such as a
     * killed drill's staging copy ({@link WorkDir#resolveDead}).
     */
    public static List<WorkDir.Dead> sweepForRestore(RuntimeLayout target, Path archiveDir, boolean takeBack) throws IOException {
        List<WorkDir.Dead> dead = new ArrayList<>(RestoreStaging.resolve(target, takeBack));
        dead.addAll(WorkDir.resolveDead(archiveDir));
        ArchivePublisher.sweepOrphanSidecars(archiveDir, CatalogRebuilder.DIRECTORIES);
        return dead;
    }
}
