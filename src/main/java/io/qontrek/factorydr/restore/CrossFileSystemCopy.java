package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.restore.SwapItems.Item;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A swap's copies of staged items onto the live side's file system, where a rename cannot cross (a volume at /proof, say). */
final class CrossFileSystemCopy {
    private CrossFileSystemCopy() {}

    /**
     * Copies each staged item whose live side is on another file system onto that file system, before
     * anything live moves, since a rename cannot cross file systems. Returns the copies' roots, to be
     * deleted once the swap is done or undone; a failed copy changes nothing live.
     */
    static List<Path> copy(List<Item> items, SwapJournal journal) throws IOException {
        List<Path> roots = new ArrayList<>();
        try {
            for (Item item : items) {
                if (item.source().equals(item.staged())) continue;
                Path root = incomingRoot(item);
                if (!roots.contains(root)) {
                    journal.scratch(root);
                    roots.add(root);
                }
                copyTree(item.staged(), item.source());
            }
        } catch (IOException | RuntimeException e) {
            roots.forEach(WorkDir::delete);
            throw new RestoreException("cannot copy the staged restore onto the target's file system ("
                    + e.getMessage() + "); nothing was changed", e);
        }
        return roots;
    }

    /** The .restore-incoming-&lt;ts&gt; directory an item's cross-file-system copy lives in. */
    private static Path incomingRoot(Item item) {
        for (Path p = item.source(); p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().startsWith(".restore-incoming-")) return p;
        }
        throw new IllegalStateException("no incoming directory above " + item.source());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = s.toList();
        }
        for (Path p : all) {
            Path t = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(t);
            else Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
        for (Path p : all) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                AtomicFile.fsync(to.resolve(from.relativize(p).toString()));
            }
        }
    }
}
