package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.ParallelIo;
import io.qontrek.factorydr.config.ConfigException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The regular files below a directory with their size and last change, from one {@code lstat}
 * each, made many at a time ({@link ParallelIo}): the files {@link RuntimeFiles#regularFiles}
 * lists, with the same refusal of anything unreadable, without a second and third system call
 * per file for its size and time. Links are never followed. Unsorted (directory order): a caller
 * that keeps a few of them sorts those (RuntimeFiles lists in the order of their Paths).
 */
public final class FileScan {
    /**
     * One regular file: its name below the scanned directory (forward slashes), size and mtime (ms).
     * No Path: a scan of 120k files keeps only what it needs to compare, a Path is made for the few read.
     */
    public record Scanned(String relative, long size, long mtimeMillis) {
        public Path in(Path dir) {
            return dir.resolve(relative);
        }
    }

    private record Listed(Path path, String relative) {}

    /** Entries per lstat task: enough to keep a task's overhead small, few enough that the pool starts early. */
    private static final int LSTAT_BATCH = 512;

    private FileScan() {}

    /** Every regular file below dir, in no particular order; none when dir is absent. */
    public static List<Scanned> regularFiles(Path dir, ParallelIo io) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Scanned> out = new ArrayList<>();
        List<Listed> dirs = List.of(new Listed(dir, ""));
        while (!dirs.isEmpty()) {
            // entries are stat'ed in batches while the listing goes on: on a cold cache the reads of
            // the directory's blocks and of the inodes overlap
            ParallelIo.Streamed<Listed, Object> stats = io.streamed(LSTAT_BATCH, FileScan::lstat);
            for (Listed d : dirs) list(d, stats::add);
            List<Object> found = stats.results();
            List<Listed> next = new ArrayList<>();
            for (Object o : found) {
                if (o instanceof Scanned s) out.add(s);
                else if (o instanceof Listed sub) next.add(sub);
            }
            dirs = next;
        }
        return out;
    }

    private static void list(Listed d, java.util.function.Consumer<Listed> into) throws IOException {
        String prefix = d.relative().isEmpty() ? "" : d.relative() + "/";
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d.path())) {
            for (Path p : s) into.accept(new Listed(p, prefix + p.getFileName()));
        } catch (AccessDeniedException denied) {
            throw unreadable(denied.getFile());
        }
    }

    /** A regular file (Scanned), a directory to list (Listed), or anything else (null). */
    private static Object lstat(Listed l) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(l.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return null;     // removed since it was listed (a runtime's temporary file): not part of this backup
        } catch (AccessDeniedException denied) {
            throw unreadable(denied.getFile());
        }
        if (a.isDirectory()) return l;
        if (!a.isRegularFile()) return null;
        if (!Files.isReadable(l.path())) throw unreadable(l.path().toString());
        return new Scanned(l.relative(), a.size(), a.lastModifiedTime().toMillis());
    }

    private static ConfigException unreadable(String path) {
        return new ConfigException(path + " is not readable: fix its permissions (the backup needs to read it)");
    }
}
