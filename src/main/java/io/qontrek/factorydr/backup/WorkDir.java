package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch space under archive/.work/&lt;pid&gt;/ for snapshots and archives being written. Each
 * process has its own, so a crashed run's leftovers are recognised by their dead pid and swept
 * by the next run, while a run still going in another process is left alone.
 */
public final class WorkDir {
    private WorkDir() {}

    /** A fresh, empty directory for one piece of work of this process; other processes' dead leftovers are swept first. */
    public static Path create(Path archiveDir, String name) throws IOException {
        Path root = archiveDir.resolve(".work");
        sweepDead(root);
        Path dir = root.resolve(Long.toString(ProcessHandle.current().pid())).resolve(name);
        delete(dir);
        OwnerOnly.directories(root);
        OwnerOnly.tighten(root); // scratch made before it was owner-only
        return OwnerOnly.directories(dir);
    }

    /** Removes the work of processes that no longer run (a crash, a kill -9, a power cut). */
    static void sweepDead(Path root) throws IOException {
        if (!Files.isDirectory(root)) return;
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                boolean dead = !name.chars().allMatch(Character::isDigit) || name.isEmpty()
                        || ProcessHandle.of(Long.parseLong(name)).map(h -> !h.isAlive()).orElse(true);
                if (dead) delete(p);
            }
        }
    }

    /** Deletes a directory tree; quiet, because it runs on failure paths and the next sweep retries. */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
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
