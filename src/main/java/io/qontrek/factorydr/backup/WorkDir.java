package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.common.ProcessOwner;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
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
     * Work of a run that is gone, resolved: nothing in it is state any more (a publish it left half-done
     * is undone, a swap it was killed in is taken back), only files to delete ({@link #sweep(Dead)}).
     * {@code marker} is its owner marker ({@link ProcessOwner}), read again before the delete; null when it has none.
     */
    public record Dead(Path dir, String what, Path marker) {}

    /**
     * Removes the work of processes that no longer run (a crash, a kill -9, a power cut), first
     * undoing any publish they left half-done ({@link ArchivePublisher}); logs each removal at INFO
     * with what it removed. Returns what it removed.
     */
    public static List<Path> sweepDead(Path archiveDir) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (Dead dead : resolveDead(archiveDir, removed)) {
            if (sweep(dead).isPresent()) removed.add(dead.dir());
        }
        return removed;
    }

    /**
     * As {@link #sweepDead}, but the dead work is only resolved (its half-done publishes undone), and
     * returned to be deleted later: a restore deletes it after its swap, since a drill's staging copy of
     * a million files takes minutes to delete.
     */
    public static List<Dead> resolveDead(Path archiveDir) throws IOException {
        return resolveDead(archiveDir, new ArrayList<>());
    }

    private static List<Dead> resolveDead(Path archiveDir, List<Path> undone) throws IOException {
        Path root = archiveDir.resolve(".work");
        List<Dead> dead = new ArrayList<>();
        if (!Files.isDirectory(root)) return dead;
        for (Path p : list(root)) {
            Optional<Long> pid = pidOf(p);
            if (pid.isEmpty()) {
                dead.add(resolve(p, "something no run of this version makes", null, undone)); // not <pid>/: nothing of ours
                continue;
            }
            for (Path work : list(p)) {
                ProcessOwner owner = ProcessOwner.read(work.resolve(OWNER)).filter(o -> o.pid() == pid.get())
                        .orElse(new ProcessOwner(pid.get(), null)); // unmarked (an instant after its mkdir, or an older version's): the pid decides
                if (owner.isGone()) dead.add(resolve(work, "scratch work of " + owner + ", which is not running", work.resolve(OWNER), undone));
            }
            if (list(p).isEmpty() && new ProcessOwner(pid.get(), null).isGone()) Files.deleteIfExists(p);
        }
        return dead;
    }

    private static Dead resolve(Path work, String whose, Path marker, List<Path> undone) {
        for (Path name : ArchivePublisher.undoUnfinished(work)) {
            LOG.info("swept {}: the archive name an unfinished publish ({}) had taken", name, whose);
            undone.add(name);
        }
        return new Dead(work, whose, marker);
    }

    /**
     * Deletes resolved dead work ({@link #delete}: the dead run's .work/&lt;pid&gt;/ too when it was its last)
     * and logs what it removed; empty when it went meanwhile (another run swept it), or when a running process has
     * taken its name since it was found dead (a pid reused), which is then left alone.
     */
    public static Optional<Removed> sweep(Dead dead) {
        if (!Files.exists(dead.dir(), LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        Optional<ProcessOwner> owner = dead.marker() == null ? Optional.empty() : ProcessOwner.read(dead.marker());
        if (owner.isPresent() && !owner.get().isGone()) {
            LOG.info("kept {}: {} owns it now", dead.dir(), owner.get());
            return Optional.empty();
        }
        Removed removed = delete(dead.dir());
        LOG.info("swept {} ({}): {}", dead.dir(), removed, dead.what());
        return Optional.of(removed);
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

    /** What a {@link #delete} removed: its regular files (links and other non-directories count as files) and their bytes. */
    public record Removed(long files, long bytes) {
        @Override
        public String toString() {
            return String.format("%,d files, %,d bytes", files, bytes);
        }
    }

    /**
     * Deletes a directory tree, depth first, as it walks it: its memory is one open directory per level,
     * whatever the file count (a sorted list of every path held 1M Paths, some 120 MB, for a dead restore's
     * staging of a million proofs). Links are removed, never followed. Quiet, because it runs on failure
     * paths and the next sweep retries; what it could not delete stays for that sweep.
     */
    public static Removed delete(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return new Removed(0, 0);
        long[] removed = new long[2];
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    try {
                        Files.delete(file);
                        removed[0]++;
                        if (attrs.isRegularFile()) removed[1] += attrs.size();
                    } catch (IOException ignored) {
                        // swept again by the next run
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: as above
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) {
                    try {
                        Files.delete(d);
                    } catch (IOException ignored) {
                        // not empty (something above was not deleted): as above
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // as above
        }
        removeEmptyPidDir(dir.toAbsolutePath().getParent());
        return new Removed(removed[0], removed[1]);
    }

    /**
     * A .work/&lt;pid&gt;/ of this process, or of one that is gone, once its last piece of work is deleted:
     * a finished run leaves no directory behind, nor does a dead run's once its work is swept.
     */
    private static void removeEmptyPidDir(Path parent) {
        // a tree directly in / or one level below it (a runtime at /factory) has no .work/ above it
        Path work = parent == null ? null : parent.getParent();
        Path name = work == null ? null : work.getFileName();
        if (name == null || !name.toString().equals(".work")) return;
        Optional<Long> pid = pidOf(parent);
        if (pid.isEmpty() || (pid.get() != ProcessHandle.current().pid() && !new ProcessOwner(pid.get(), null).isGone())) return;
        try {
            Files.delete(parent);
        } catch (IOException stillInUse) {
            // other work of this process is still there (or it went already)
        }
    }
}
