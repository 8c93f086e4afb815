package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.common.ProcessOwner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scratch space under archive/.work/&lt;pid&gt;/&lt;name&gt;/ for snapshots, archives being written and
 * downloaded, and the drill's staging copy. Each piece of work is marked with its owner
 * ({@code .owner}: pid and start time, {@link ProcessOwner}), so a crashed run's leftovers are
 * recognised by their dead owner and swept by the next run, even when its pid has been reused, while a
 * run still going in another process is left alone.
 */
public final class WorkDir {
    private static final Logger LOG = LoggerFactory.getLogger(WorkDir.class);
    static final String OWNER = ".owner";

    private WorkDir() {}

    /** A fresh, empty directory for one piece of work of this process; other processes' dead leftovers are swept first. */
    public static Path create(Path archiveDir, String name) throws IOException {
        sweepDead(archiveDir);
        Path root = archiveDir.resolve(".work");
        Path dir = root.resolve(Long.toString(ProcessHandle.current().pid())).resolve(name);
        delete(dir);
        OwnerOnly.directories(root);
        OwnerOnly.tighten(root); // scratch made before it was owner-only
        for (int attempt = 1; ; attempt++) {
            try {
                OwnerOnly.directories(dir);
                break;
            } catch (java.nio.file.NoSuchFileException e) {
                if (attempt == 3) throw e; // <pid>/ removed under it by another thread's delete, as it ended its work
            }
        }
        ProcessOwner.current().writeTo(dir.resolve(OWNER));
        return dir;
    }

    /**
     * Removes the work of processes that no longer run (a crash, a kill -9, a power cut), first
     * undoing any publish they left half-done ({@link ArchivePublisher}); logs each removal at INFO
     * with its size. Returns what it removed.
     */
    public static List<Path> sweepDead(Path archiveDir) throws IOException {
        Path root = archiveDir.resolve(".work");
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) return removed;
        for (Path p : list(root)) {
            Optional<Long> pid = pidOf(p);
            if (pid.isEmpty()) {
                sweep(p, "something no run of this version makes", removed); // not <pid>/: nothing of ours
                continue;
            }
            for (Path work : list(p)) {
                ProcessOwner owner = ProcessOwner.read(work.resolve(OWNER)).filter(o -> o.pid() == pid.get())
                        .orElse(new ProcessOwner(pid.get(), null)); // unmarked (an instant after its mkdir, or an older version's): the pid decides
                if (owner.isGone()) sweep(work, "scratch work of " + owner + ", which is not running", removed);
            }
            if (list(p).isEmpty() && new ProcessOwner(pid.get(), null).isGone()) Files.deleteIfExists(p);
        }
        return removed;
    }

    private static void sweep(Path work, String whose, List<Path> removed) {
        for (Path undone : ArchivePublisher.undoUnfinished(work)) {
            LOG.info("swept {}: the archive name an unfinished publish ({}) had taken", undone, whose);
            removed.add(undone);
        }
        long size = size(work);
        delete(work);
        LOG.info("swept {} ({} bytes): {}", work, size, whose);
        removed.add(work);
    }

    private static Optional<Long> pidOf(Path dir) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || name.length() > 18 || !name.chars().allMatch(Character::isDigit)
                || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(name));
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** The bytes of the regular files under p, for the sweep's log. */
    public static long size(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Deletes a directory tree; quiet, because it runs on failure paths and the next sweep retries. */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // swept again by the next run
                }
            });
        } catch (IOException ignored) {
            // as above
        }
        removeEmptyPidDir(dir.toAbsolutePath().getParent());
    }

    /** This process's .work/&lt;pid&gt;/ once its last piece of work is gone: a finished run leaves no directory behind. */
    private static void removeEmptyPidDir(Path parent) {
        if (parent == null || parent.getParent() == null || !parent.getParent().getFileName().toString().equals(".work")
                || !parent.getFileName().toString().equals(Long.toString(ProcessHandle.current().pid()))) {
            return;
        }
        try {
            Files.delete(parent);
        } catch (IOException stillInUse) {
            // other work of this process is still there (or it went already)
        }
    }
}
