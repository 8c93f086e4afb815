package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.common.ProcessOwner;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restore's staging directory beside the runtime it restores, {@code .restore-staging-<ts>-<pid>/},
 * and the sweep of those whose restore is gone. The directory holds the extracted archives (a
 * plaintext copy of the runtime), an {@code owner} marker (pid and start time, {@link ProcessOwner})
 * and, once the swap starts, its {@link SwapJournal}. A staging whose owner still runs is never touched.
 * Of one whose owner is gone:
 * <ul>
 *   <li>no journal, or a journal of which no rename happened: deleted (nothing live changed);</li>
 *   <li>a committed journal: the restore is in place; what it replaced and the staging are deleted;</li>
 *   <li>a journal with renames done but not committed (killed mid-swap): the runtime is half old,
 *       half new. A restore takes the swap back first (the runtime is then as it was before the killed
 *       restore, and this restore does its own work); anything else (a backup, a drill, a dry run)
 *       refuses to start on a half-restored runtime, naming the staging, rather than move live files.</li>
 * </ul>
 * A {@code .restore-staging-<ts>} without pid was left by a version that did not mark its staging: no
 * run of this version makes one, so it is swept as dead.
 */
public final class RestoreStaging {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreStaging.class);
    public static final String PREFIX = ".restore-staging-";
    static final String OWNER = "owner";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "\\d{8}T\\d{6}Z(?:-(\\d+))?");

    private RestoreStaging() {}

    /** Whether any restore's staging is in {@code runtime}'s root, running or left by a killed run. */
    public static boolean anyIn(RuntimeLayout runtime) throws IOException {
        return !stagings(runtime.root()).isEmpty();
    }

    /** The restore stagings in root, in name order; followed: a root that is a link (/srv/factory -> /data/factory) has them there. */
    private static List<Path> stagings(Path root) throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    /** The staging directory for a restore into {@code target}, made and marked as this process's. */
    public static Path create(RuntimeLayout target, Instant now) throws IOException {
        Path dir = OwnerOnly.directories(RuntimeSwap.stagingDir(target, now));
        ProcessOwner.current().writeTo(dir.resolve(OWNER));
        return dir;
    }

    /**
     * Deletes a finished or failed restore's staging; one that still holds a swap journal (its
     * rollback could not put everything back) is kept, as the record of what is where, for the
     * sweep to retry once this process is gone.
     */
    public static void discard(Path staging) {
        if (Files.exists(staging.resolve(SwapJournal.FILE), LinkOption.NOFOLLOW_LINKS)) {
            LOG.warn("kept {}: its swap journal says what the incomplete rollback left where", staging);
            return;
        }
        WorkDir.delete(staging);
    }

    /**
     * Sweeps the staging left beside {@code runtime} by restores that are gone; logs each at INFO with
     * what it removed and returns the directories removed.
     *
     * @param takeBack whether a swap killed half-way is taken back here (a restore), or refused (anything else)
     */
    public static List<Path> sweep(RuntimeLayout runtime, boolean takeBack) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (WorkDir.Dead dead : resolve(runtime, takeBack)) {
            if (WorkDir.sweep(dead).isPresent()) removed.add(dead.dir());
        }
        return removed;
    }

    /**
     * Resolves the staging left beside {@code runtime} by restores that are gone, deleting nothing of it
     * yet: a swap one was killed in is finished (committed) or taken back, and its journal then goes, so
     * that what is left is a plain dead staging whichever run deletes it. A restore deletes these after
     * its own swap ({@link WorkDir#sweep(WorkDir.Dead)}): a staging of a million files takes minutes to
     * delete, and on a file system that reuses freed inodes slowly the restore's own creates would be
     * slower after it.
     */
    public static List<WorkDir.Dead> resolve(RuntimeLayout runtime, boolean takeBack) throws IOException {
        List<WorkDir.Dead> dead = new ArrayList<>();
        Path root = runtime.root();
        for (Path staging : stagings(root)) {
            Optional<ProcessOwner> owner = ownerOf(staging);
            if (owner.isPresent() && !owner.get().isGone()) continue;
            String whose = "restore of " + owner.map(Object::toString).orElse("an older version");
            String what;
            Optional<SwapJournal.Recorded> journal = SwapJournal.read(staging);
            if (journal.isEmpty()) {
                what = "staging of a " + whose + ", which is not running; the runtime was not touched";
            } else if (journal.get().committed()) {
                journal.get().finish();
                what = "staging of a " + whose + ", which is not running, killed after its swap was complete: "
                        + "the copies it replaced are deleted too";
            } else if (!journal.get().anyMoveDone() || takeBack) {
                boolean moved = journal.get().anyMoveDone();
                List<String> stuck = journal.get().undo(RuntimeSwap.RENAME);
                if (!stuck.isEmpty()) {
                    throw new RestoreException("cannot take back the swap of the " + whose + " (" + staging + "), killed half-way: "
                            + String.join("; ", stuck) + "; nothing else was done");
                }
                what = "staging of a " + whose + ", which is not running" + (moved
                        ? ", killed half-way through its swap: taken back, the runtime is as it was before that restore"
                        : "; its swap had not started, the runtime was not touched");
            } else {
                throw new RestoreException("runtime " + root + " is half restored: the " + whose + " was killed half-way through"
                        + " its swap (" + staging.resolve(SwapJournal.FILE) + "); run `factory-dr restore` again to take that swap"
                        + " back and restore; nothing was done");
            }
            if (Files.deleteIfExists(staging.resolve(SwapJournal.FILE))) {
                AtomicFile.fsync(staging); // resolved: nothing for a later sweep to redo, even after a power cut
            }
            dead.add(new WorkDir.Dead(staging, what, staging.resolve(OWNER)));
        }
        return dead;
    }

    /**
     * The swap journal of a restore that is gone and was killed half-way through its swap, if the
     * runtime has one: what {@link #resolve} refuses for anything but a restore. Reads only: a restore
     * still running, one killed before its swap (the runtime untouched) or after it (complete) is not it.
     */
    public static Optional<Path> halfRestored(RuntimeLayout runtime) throws IOException {
        for (Path staging : stagings(runtime.root())) {
            Optional<ProcessOwner> owner = ownerOf(staging);
            if (owner.isPresent() && !owner.get().isGone()) continue;
            Optional<SwapJournal.Recorded> journal = SwapJournal.read(staging);
            if (journal.isPresent() && !journal.get().committed() && journal.get().anyMoveDone()) {
                return Optional.of(staging.resolve(SwapJournal.FILE));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a restore taking about {@code bytes} on disk fits on the file system of {@code root} while
     * dead work (a killed restore's staging, a killed drill's copy) still takes its room, with a tenth
     * and 64 MiB to spare; false when the size is not known (-1), so that the dead work goes first.
     */
    public static boolean fitsBesideDead(Path root, long bytes) throws IOException {
        if (bytes < 0) return false;
        return Files.getFileStore(root).getUsableSpace() >= bytes + bytes / 10 + (64L << 20);
    }

    /** The staging's owner: its marker, else the pid in its name; empty for a staging without either (an older version's). */
    private static Optional<ProcessOwner> ownerOf(Path staging) {
        Matcher m = NAME.matcher(staging.getFileName().toString());
        if (!m.matches() || m.group(1) == null) return Optional.empty();
        long pid = Long.parseLong(m.group(1));
        // no marker: the instant between the mkdir and the marker; the pid alone decides
        return ProcessOwner.read(staging.resolve(OWNER)).filter(o -> o.pid() == pid).or(() -> Optional.of(new ProcessOwner(pid, null)));
    }
}
