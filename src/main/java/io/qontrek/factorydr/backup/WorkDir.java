package io.qontrek.factorydr.backup;

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
 * Scratch space under archive/.work/&lt;pid&gt;/ for snapshots, archives being written and downloaded,
 * and the drill's staging copy. Each process has its own, marked with its owner
 * (archive/.work/&lt;pid&gt;/owner: pid and start time, {@link ProcessOwner}), so a crashed run's
 * leftovers are recognised by their dead owner and swept by the next run, even when its pid has been
 * reused, while a run still going in another process is left alone.
 */
public final class WorkDir {
    private static final Logger LOG = LoggerFactory.getLogger(WorkDir.class);
    static final String OWNER = "owner";

    private WorkDir() {}

    /** A fresh, empty directory for one piece of work of this process; other processes' dead leftovers are swept first. */
    public static Path create(Path archiveDir, String name) throws IOException {
        Path root = archiveDir.resolve(".work");
        sweepDead(archiveDir);
        Path mine = root.resolve(Long.toString(ProcessHandle.current().pid()));
        Files.createDirectories(mine);
        ProcessOwner me = ProcessOwner.current();
        if (!ProcessOwner.read(mine.resolve(OWNER)).equals(Optional.of(me))) me.writeTo(mine.resolve(OWNER));
        Path dir = mine.resolve(name);
        delete(dir);
        return Files.createDirectories(dir);
    }

    /**
     * Removes the work of processes that no longer run (a crash, a kill -9, a power cut), first
     * undoing any publish they left half-done ({@link ArchivePublisher}); logs each removal with its
     * size. Returns what it removed.
     */
    public static List<Path> sweepDead(Path archiveDir) throws IOException {
        Path root = archiveDir.resolve(".work");
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) return removed;
        List<Path> entries;
        try (Stream<Path> s = Files.list(root)) {
            entries = s.toList();
        }
        for (Path p : entries) {
            Optional<ProcessOwner> owner = ownerOf(p);
            if (owner.isPresent() && !owner.get().isGone()) continue;
            for (Path undone : ArchivePublisher.undoUnfinished(p)) {
                LOG.info("swept {}: the archive name an unfinished publish of {} had taken", undone,
                        owner.map(Object::toString).orElse("an unknown process"));
                removed.add(undone);
            }
            long size = size(p);
            delete(p);
            LOG.info("swept {} ({} bytes): scratch work of {}, which is not running", p, size,
                    owner.map(Object::toString).orElse("an unknown process"));
            removed.add(p);
        }
        return removed;
    }

    /** The owner of .work/&lt;pid&gt;: its marker, else the pid of its name alone; empty for what no run of ours makes. */
    private static Optional<ProcessOwner> ownerOf(Path dir) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || !name.chars().allMatch(Character::isDigit) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(name);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<ProcessOwner> marked = ProcessOwner.read(dir.resolve(OWNER));
        // no marker yet (the instant between its mkdir and the marker), or from an older version: the pid decides
        return marked.filter(o -> o.pid() == pid).or(() -> Optional.of(new ProcessOwner(pid, null)));
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
    }
}
