package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.common.TestPause;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Swaps a staged, already verified restore into the live runtime, by renames only, so that the live
 * runtime is at every moment either as it was or as restored:
 * <ol type="a">
 *   <li>check, before anything moves, that every staged item is there; where the target is on
 *       another file system (a rename cannot cross), copy the staged item onto it first;</li>
 *   <li>move each live item aside to {@code <parent>/.restore-replaced-<ts>/<name>} (for the default
 *       layout, {@code <root>/.restore-replaced-<ts>/proof} and so on);</li>
 *   <li>rename the staged item into place; an item that does not exist live (the drill deletes
 *       things) is simply put there;</li>
 *   <li>on any failure, undo every move done so far in reverse order, so the runtime is back byte for
 *       byte, and fail naming the step;</li>
 *   <li>only after full success delete the replaced copies, unless asked to keep them.</li>
 * </ol>
 * Every rename and directory made is first written to the staging's {@link SwapJournal}, and the
 * journal says {@code committed} once all renames are done, so a swap killed at any point (kill -9,
 * power cut) is taken back, or finished when committed, by the next restore ({@link RestoreStaging#sweep}).
 * A live directory that is a mount point (a volume at /proof) cannot be renamed: its children are
 * swapped instead, through its own .restore-replaced-&lt;ts&gt; and .restore-incoming-&lt;ts&gt;.
 *
 * <p>Scopes: {@code proof} replaces proof/; {@code config} replaces config/; {@code ledger} replaces
 * only the three databases in data/ (and moves aside their stale {@code -wal}, {@code -shm} and
 * {@code -journal} files, which belong to the replaced database), keeping data/ATLAS_PANIC and every
 * other file; {@code all} is proof + config + the databases. Logs are never restored over live logs:
 * the live logs are newer than any backup and are the record of the disaster itself.
 *
 * <p>Secrets: backups leave out config files that hold secrets (the manifest's {@code skipped}) and
 * strip secret fields from the key registry ({@code redacted}). Restoring config/ must not lose them,
 * so every {@code keepLive} path that exists live is copied into the staged config before the swap,
 * replacing the staged copy (the live key registry keeps its secret fields). A kept file that is not
 * live any more comes from the archive, as far as the archive has it.
 *
 * <p>The runtime must not be writing to what is swapped (stop it first); the caller owns, and
 * deletes, the staging directory.
 */
public final class RuntimeSwap {
    public static final List<String> DATABASES = io.qontrek.factorydr.runtime.RuntimeDatabase.inOrder().stream()
            .map(io.qontrek.factorydr.runtime.RuntimeDatabase::fileName).toList();
    static final List<String> DELTAS = io.qontrek.factorydr.runtime.RuntimeDatabase.inOrder().stream()
            .map(io.qontrek.factorydr.runtime.RuntimeDatabase::deltaFileName).toList();
    /** The files SQLite keeps beside a database; stale once the database under them is replaced. */
    static final List<String> COMPANIONS = List.of("-wal", "-shm", "-journal");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What a restore replaces. */
    public enum Scope {
        ALL, PROOF, CONFIG, LEDGER;

        /** all | proof | config | ledger, or an IllegalArgumentException naming the bad value. */
        public static Scope parse(String s) {
            for (Scope scope : values()) if (scope.wire().equals(s)) return scope;
            throw new IllegalArgumentException("restore scope '" + s + "' is not one of all, proof, ledger, config");
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean proof() {
            return this == ALL || this == PROOF;
        }

        boolean config() {
            return this == ALL || this == CONFIG;
        }

        boolean databases() {
            return this == ALL || this == LEDGER;
        }

        /** Whether an archive entry (file or directory name) is restored in this scope; a SafeExtractor filter. */
        public boolean wants(String entryName) {
            if (proof() && entryName.startsWith("proof/")) return true;
            if (config() && entryName.startsWith("config/")) return true;
            if (databases() && entryName.startsWith("data/")) {
                String name = entryName.substring(5);
                // an incremental's deltas are staged to be applied (DeltaReplay), never swapped in
                return DATABASES.contains(name) || DELTAS.contains(name);
            }
            return false;
        }
    }

    /** Renames one path; the swap's only way of changing the live runtime. Tests wrap it to fail one step. */
    @FunctionalInterface
    interface Mover {
        void move(Path from, Path to) throws IOException;
    }

    /** The plain rename(2): atomic, same file system, never over something that exists. */
    static final Mover RENAME = (from, to) -> {
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(to.toString());
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    };

    /**
     * One thing swapped: a directory (proof/, config/) or a database file. {@code source} is what is
     * renamed into place: the staged copy, or, when the live side is on another file system than the
     * staging (a volume mounted at /proof, say), a copy of it made on that file system first.
     * {@code byContent}: the live directory itself cannot be renamed (it is a mount point, or on
     * another file system than its parent), so its children are swapped instead of it.
     */
    private record Item(String name, Path live, Path staged, Path source, Path aside, boolean directory, boolean byContent) {}

    /**
     * What a swap would do, compared by size and SHA-256 against the live tree. Names are archive-style
     * ({@code proof/proof-000000000001.json}, {@code data/federation_ledger.db-wal}).
     *
     * @param keptLive live files kept as they are (secrets the archive does not hold)
     */
    public record Description(Scope scope, List<String> added, List<String> changed, List<String> removed,
            List<String> keptLive, int unchanged) {
        public Description {
            added = List.copyOf(added);
            changed = List.copyOf(changed);
            removed = List.copyOf(removed);
            keptLive = List.copyOf(keptLive);
        }

        public String summary() {
            return "restore " + scope.wire() + ": " + added.size() + " added, " + changed.size() + " changed, "
                    + removed.size() + " removed, " + unchanged + " unchanged, " + keptLive.size() + " kept live";
        }
    }

    /**
     * A completed swap: what was put in place, the live files kept, and where the replaced copies are
     * when they were kept (asked for, or their deletion failed: then {@code warning} says so).
     */
    public record Result(List<String> swapped, List<String> keptLive, List<Path> replacedKept, String warning) {}

    private final RuntimeLayout live;
    private final Path staging;
    private final Scope scope;
    private final Set<String> keepLive;
    private final Mover mover;
    private final String stamp;

    /**
     * @param live the runtime to restore into
     * @param staging the staging root, holding proof/, config/, data/ as extracted from the archives
     * @param keepLive archive-style paths ({@code config/tls/server.key}) whose live file wins over the
     *                 staged one: the manifest's {@code skipped} and {@code redacted}
     */
    public RuntimeSwap(RuntimeLayout live, Path staging, Scope scope, Collection<String> keepLive) {
        this(live, staging, scope, keepLive, RENAME, Instant.now());
    }

    RuntimeSwap(RuntimeLayout live, Path staging, Scope scope, Collection<String> keepLive, Mover mover, Instant now) {
        this.live = live;
        this.staging = staging.toAbsolutePath().normalize();
        this.scope = scope;
        this.keepLive = new LinkedHashSet<>(keepLive);
        this.mover = mover;
        this.stamp = STAMP.format(now);
    }

    /** Where a restore stages: beside the runtime, so that its renames stay on one file system. */
    public static Path stagingDir(RuntimeLayout live, Instant now) {
        return live.root().resolve(RestoreStaging.PREFIX + STAMP.format(now) + "-" + ProcessHandle.current().pid());
    }

    /** The dry run: what {@link #swap} would add, change and remove. Changes nothing, staging included. */
    public Description describe() throws IOException {
        requireStaged();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        int unchanged = 0;
        for (Item item : items()) {
            Map<String, Path> staged = item.directory() ? files(item.staged(), item.name()) : Map.of(item.name(), item.staged());
            Map<String, Path> current = item.directory() ? files(item.live(), item.name())
                    : exists(item.live()) ? Map.of(item.name(), item.live()) : Map.of();
            for (Map.Entry<String, Path> s : staged.entrySet()) {
                Path l = current.get(s.getKey());
                if (keepLive.contains(s.getKey()) && l != null) continue; // counted below as kept
                if (l == null) added.add(s.getKey());
                else if (same(s.getValue(), l)) unchanged++;
                else changed.add(s.getKey());
            }
            for (String name : current.keySet()) {
                if (keepLive.contains(name) && item.name().equals("config")) kept.add(name);
                else if (!staged.containsKey(name)) removed.add(name);
            }
            if (!item.directory()) {
                for (String suffix : COMPANIONS) {
                    if (exists(companion(item.live(), suffix))) removed.add(item.name() + suffix);
                }
            }
        }
        return new Description(scope, sorted(added), sorted(changed), sorted(removed), sorted(kept), unchanged);
    }

    /**
     * Carries the kept live files into staging, then swaps. On failure everything is moved back and a
     * {@link RestoreException} says which step failed; if even the rollback fails, it says what is where.
     */
    public Result swap(boolean keepReplaced) throws IOException {
        requireStaged();
        List<String> kept = scope.config() ? carryKeptFiles() : List.of();
        List<Item> items = items();
        // every rename and mkdir below is journalled (fsynced) before it is made, so a kill -9 at any
        // point leaves what the next restore needs to take the swap back, or to finish it once committed
        SwapJournal journal = SwapJournal.begin(staging);
        List<Path> incoming;
        try {
            for (Path dir : replacedDirs(items)) journal.replaced(dir);
            incoming = copyAcrossFileSystems(items, journal);
        } catch (IOException | RuntimeException e) {
            journal.discard(); // nothing live was touched
            throw e;
        }
        TestPause.at("restore-staged");

        List<String> swapped = new ArrayList<>();
        String step = "";
        try {
            for (Item item : items) {
                step = "moving " + item.live() + " aside to " + item.aside();
                if (item.byContent()) {
                    swapChildren(item, journal);
                    swapped.add(item.name());
                    if (swapped.size() == 1) TestPause.at("restore-swapped-one");
                    continue;
                }
                if (item.directory()) {
                    moveAside(item.live(), item.aside(), journal);
                } else {
                    for (String suffix : COMPANIONS) {
                        Path c = companion(item.live(), suffix);
                        step = "moving " + c + " aside";
                        moveAside(c, companion(item.aside(), suffix), journal);
                    }
                    step = "moving " + item.live() + " aside to " + item.aside();
                    moveAside(item.live(), item.aside(), journal);
                }
                if (swapped.isEmpty()) TestPause.at("restore-moved-aside-one");
                step = "renaming " + item.source() + " to " + item.live();
                makeDirectories(item.live().getParent(), journal);
                journal.moving(item.source(), item.live());
                mover.move(item.source(), item.live());
                swapped.add(item.name());
                if (swapped.size() == 1) TestPause.at("restore-swapped-one");
            }
            for (Item item : items) AtomicFile.fsync(item.byContent() ? item.live() : item.live().getParent());
            step = "committing the swap";
            journal.committed();
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            rollback(journal, "restore failed " + step + " (" + why + ")", e);
        }
        TestPause.at("restore-swapped");
        incoming.forEach(WorkDir::delete);

        List<Path> replaced = replacedDirs(items);
        if (keepReplaced) {
            journal.discard();
            return new Result(swapped, kept, replaced.stream().filter(RuntimeSwap::exists).toList(), null);
        }
        List<Path> left = new ArrayList<>();
        for (Path dir : replaced) {
            WorkDir.delete(dir);
            if (exists(dir)) left.add(dir);
        }
        journal.discard();
        return new Result(swapped, kept, left, left.isEmpty() ? null
                : "restore complete, but the replaced copies could not all be deleted: " + left);
    }

    /** Undoes every journalled rename that happened, newest first; the journal stays if something is stuck. */
    private void rollback(SwapJournal journal, String failure, Exception cause) throws IOException {
        List<String> stuck = journal.undo(mover);
        if (!stuck.isEmpty()) {
            journal.close(); // kept: the journal says what is where
            throw new RestoreException(failure + "; ROLLBACK INCOMPLETE: " + String.join("; ", stuck), cause);
        }
        journal.discard();
        throw new RestoreException(failure + "; rolled back, the runtime is as it was", cause);
    }

    /**
     * A live directory that cannot itself be renamed: every child moves aside into the directory's
     * own .restore-replaced-&lt;ts&gt;, then every child of the copy made on its file system moves in.
     * Each phase is journalled whole (one fsync) before its renames.
     */
    private void swapChildren(Item item, SwapJournal journal) throws IOException {
        makeDirectories(item.aside(), journal);
        List<Path[]> aside = new ArrayList<>();
        for (Path child : children(item.live())) {
            if (child.equals(item.aside()) || child.equals(item.source())) continue;
            aside.add(new Path[] {child, item.aside().resolve(child.getFileName().toString())});
        }
        journal.movingAll(aside);
        for (Path[] m : aside) mover.move(m[0], m[1]);
        List<Path[]> in = new ArrayList<>();
        for (Path child : children(item.source())) in.add(new Path[] {child, item.live().resolve(child.getFileName().toString())});
        journal.movingAll(in);
        for (Path[] m : in) mover.move(m[0], m[1]);
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /**
     * Copies each staged item whose live side is on another file system onto that file system, before
     * anything live moves, since a rename cannot cross file systems. Returns the copies' roots, to be
     * deleted once the swap is done or undone; a failed copy changes nothing live.
     */
    private List<Path> copyAcrossFileSystems(List<Item> items, SwapJournal journal) throws IOException {
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
    private Path incomingRoot(Item item) {
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

    private void moveAside(Path from, Path to, SwapJournal journal) throws IOException {
        if (!exists(from)) return;
        makeDirectories(to.getParent(), journal);
        journal.moving(from, to);
        mover.move(from, to);
    }

    private static void makeDirectories(Path dir, SwapJournal journal) throws IOException {
        if (exists(dir)) return;
        makeDirectories(dir.getParent(), journal);
        journal.making(dir);
        Files.createDirectory(dir);
    }

    /** Copies each kept live config file over its staged copy (staging only: nothing live changes). */
    private List<String> carryKeptFiles() throws IOException {
        List<String> kept = new ArrayList<>();
        Path liveConfig = live.configDir();
        Path stagedConfig = staging.resolve("config");
        for (String name : keepLive) {
            if (!name.startsWith("config/")) continue;
            String rel = name.substring("config/".length());
            if (SafeExtractor.nameProblem(rel) != null) throw new RestoreException("kept path '" + name + "' is not a safe relative path");
            Path source = liveConfig.resolve(rel);
            if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) continue;
            Path target = stagedConfig.resolve(rel);
            Files.createDirectories(target.getParent());
            if (!target.getParent().toRealPath().startsWith(stagedConfig.toRealPath())) {
                throw new RestoreException("kept path '" + name + "' resolves outside the staged config");
            }
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                    LinkOption.NOFOLLOW_LINKS);
            kept.add(name);
        }
        return kept;
    }

    private List<Item> items() throws IOException {
        List<Item> out = new ArrayList<>();
        if (scope.proof()) out.add(directory("proof", live.proofDir()));
        if (scope.config()) out.add(directory("config", live.configDir()));
        if (scope.databases()) {
            boolean across = !sameFileSystem(live.dataDir(), staging);
            Path replaced = across ? replacedDir(live.dataDir()) : replacedDir(live.dataDir().getParent()).resolve("data");
            for (String db : DATABASES) {
                Path staged = staging.resolve("data").resolve(db);
                Path source = across ? live.dataDir().resolve(".restore-incoming-" + stamp).resolve(db) : staged;
                out.add(new Item("data/" + db, live.dataDir().resolve(db), staged, source, replaced.resolve(db), false, false));
            }
        }
        return out;
    }

    private Item directory(String name, Path liveDir) throws IOException {
        Path staged = staging.resolve(name);
        if (exists(liveDir) && !sameFileSystem(liveDir, staging)) {
            // a volume mounted at liveDir, say: swap what is inside it
            return new Item(name, liveDir, staged, liveDir.resolve(".restore-incoming-" + stamp),
                    replacedDir(liveDir), true, true);
        }
        Path source = sameFileSystem(liveDir.getParent(), staging) ? staged
                : liveDir.getParent().resolve(".restore-incoming-" + stamp).resolve(name);
        return new Item(name, liveDir, staged, source, replacedDir(liveDir.getParent()).resolve(name), true, false);
    }

    /** Whether p (or, if it does not exist yet, its nearest existing ancestor) is on the staging's file system. */
    private static boolean sameFileSystem(Path p, Path staging) throws IOException {
        Path anchor = p;
        while (anchor != null && !exists(anchor)) anchor = anchor.getParent();
        if (anchor == null) return true;
        return Files.getFileStore(anchor).equals(Files.getFileStore(staging));
    }

    private Path replacedDir(Path parent) {
        return parent.resolve(".restore-replaced-" + stamp);
    }

    private List<Path> replacedDirs(List<Item> items) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Item item : items) {
            Path p = item.aside();
            while (!p.getFileName().toString().startsWith(".restore-replaced-")) p = p.getParent();
            dirs.add(p);
        }
        return List.copyOf(dirs);
    }

    private void requireStaged() throws IOException {
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
                if (p.getFileName().toString().startsWith(".restore-replaced-") && exists(p)) {
                    throw new RestoreException(p + " already exists; nothing was changed");
                }
            }
        }
    }

    /** Regular files and links (not followed) below dir, keyed by prefix + "/" + relative path. */
    private static Map<String, Path> files(Path dir, String prefix) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return out;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(prefix + "/" + dir.relativize(p).toString().replace('\\', '/'), p);
                }
            }
        }
        return out;
    }

    private static boolean same(Path a, Path b) throws IOException {
        BasicFileAttributes x = Files.readAttributes(a, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes y = Files.readAttributes(b, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!x.isRegularFile() || !y.isRegularFile()) return false;
        return x.size() == y.size() && Arrays.equals(sha256(a), sha256(b));
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest d = io.qontrek.factorydr.common.Hashes.sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) >= 0; ) d.update(buffer, 0, n);
        }
        return d.digest();
    }

    private static Path companion(Path db, String suffix) {
        return db.resolveSibling(db.getFileName() + suffix);
    }

    private static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }
}
