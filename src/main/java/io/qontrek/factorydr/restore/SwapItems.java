package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a swap of one scope moves, worked out before anything moves: each item (proof/, config/, each
 * database), where it is live and staged, what is renamed into place, and where the live one goes aside
 * ({@code .restore-replaced-<ts>}); and the check that all of it is staged and nothing is in the way.
 */
final class SwapItems {
    /**
     * One thing swapped: a directory (proof/, config/) or a database file. {@code source} is what is
     * renamed into place: the staged copy, or, when the live side is on another file system than the
     * staging (a volume mounted at /proof, say), a copy of it made on that file system first.
     * {@code byContent}: the live directory itself cannot be renamed (it is a mount point, or on
     * another file system than its parent), so its children are swapped instead of it.
     */
    record Item(String name, Path live, Path staged, Path source, Path aside, boolean directory, boolean byContent) {}

    private final RuntimeLayout live;
    private final Path staging;
    private final RuntimeSwap.Scope scope;
    private final String stamp;

    SwapItems(RuntimeLayout live, Path staging, RuntimeSwap.Scope scope, String stamp) {
        this.live = live;
        this.staging = staging;
        this.scope = scope;
        this.stamp = stamp;
    }

    List<Item> items() throws IOException {
        List<Item> out = new ArrayList<>();
        if (scope.proof()) out.add(directory("proof", live.proofDir()));
        if (scope.config()) out.add(directory("config", live.configDir()));
        if (scope.databases()) {
            boolean across = !sameFileSystem(live.dataDir(), staging);
            Path replaced = across ? replacedDir(live.dataDir()) : replacedDir(live.dataDir().getParent()).resolve("data");
            for (String db : RuntimeSwap.DATABASES) {
                Path staged = staging.resolve("data").resolve(db);
                Path source = across ? live.dataDir().resolve(".restore-incoming-" + stamp).resolve(db) : staged;
                out.add(new Item("data/" + db, live.dataDir().resolve(db), staged, source, replaced.resolve(db), false, false));
            }
        }
        return out;
    }

    private Item directory(String name, Path link) throws IOException {
        Path liveDir = followLink(name, link);
        Path staged = staging.resolve(name);
        if (RuntimeSwap.exists(liveDir) && !sameFileSystem(liveDir, staging)) {
            // a volume mounted at liveDir, say: swap what is inside it
            return new Item(name, liveDir, staged, liveDir.resolve(".restore-incoming-" + stamp),
                    replacedDir(liveDir), true, true);
        }
        Path source = sameFileSystem(liveDir.getParent(), staging) ? staged
                : liveDir.getParent().resolve(".restore-incoming-" + stamp).resolve(name);
        return new Item(name, liveDir, staged, source, replacedDir(liveDir.getParent()).resolve(name), true, false);
    }

    /**
     * proof/ or config/ as a link to a directory elsewhere (a larger volume, say): the swap happens at
     * the link's target and the link stays, so the restored files land where the runtime keeps them.
     * Renaming the link itself would put a real directory in its place, on the runtime's disk, and
     * leave the target holding the old files.
     */
    static Path followLink(String name, Path link) throws IOException {
        if (!Files.isSymbolicLink(link)) return link;
        try {
            Path target = link.toRealPath();
            if (!Files.isDirectory(target)) throw new IOException(link + " (" + name + "/) is a link to " + target + ", which is no directory");
            return target;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(link + " (" + name + "/) is a link to " + Files.readSymbolicLink(link)
                    + ", which does not exist: is its volume mounted?");
        }
    }

    /** Whether p (or, if it does not exist yet, its nearest existing ancestor) is on the staging's file system. */
    private static boolean sameFileSystem(Path p, Path staging) throws IOException {
        Path anchor = p;
        while (anchor != null && !RuntimeSwap.exists(anchor)) anchor = anchor.getParent();
        if (anchor == null) return true;
        return Files.getFileStore(anchor).equals(Files.getFileStore(staging));
    }

    private Path replacedDir(Path parent) {
        return parent.resolve(".restore-replaced-" + stamp);
    }

    static List<Path> replacedDirs(List<Item> items) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Item item : items) {
            Path p = item.aside();
            while (!p.getFileName().toString().startsWith(".restore-replaced-")) p = p.getParent();
            dirs.add(p);
        }
        return List.copyOf(dirs);
    }

    void requireStaged() throws IOException {
        if (!Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
            throw new RestoreException("staging directory " + staging + " does not exist; nothing was changed");
        }
        for (Item item : items()) {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(item.staged(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new RestoreException("staging has no " + item.name() + (item.directory() ? "/" : "")
                        + " (" + item.staged() + "); nothing was changed");
            }
            if (item.directory() ? !a.isDirectory() : !a.isRegularFile()) {
                throw new RestoreException("staged " + item.staged() + " is not a " + (item.directory() ? "directory" : "regular file")
                        + "; nothing was changed");
            }
            for (Path p = item.aside(); p != null && !p.equals(p.getRoot()); p = p.getParent()) {
                if (p.getFileName().toString().startsWith(".restore-replaced-") && RuntimeSwap.exists(p)) {
                    throw new RestoreException(p + " already exists; nothing was changed");
                }
            }
        }
    }
}
