package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.common.TestPause;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.restore.SwapItems.Item;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private final SwapItems plan;

    /**
     * Before anything is staged: the links a swap would follow (SwapItems.followLink) must be safe to
     * follow. In the runtime itself, proof/, config/ or data/ may be a link to a directory elsewhere, which
     * must exist, must not hold the runtime or another of them, and (proof/, config/) must sit in a
     * directory this user can write (the replaced copy goes aside there). A --target (or the drill's staging) is written only inside
     * itself: a link in it could lead into the live runtime, so it is refused.
     */
    public static void checkLinks(RuntimeLayout target, Scope scope, boolean liveRuntime) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        if (scope.proof()) dirs.put("proof", target.proofDir());
        if (scope.config()) dirs.put("config", target.configDir());
        if (scope.databases()) dirs.put("data", target.dataDir()); // its files are swapped inside it, through a link
        Path root = RuntimeLayout.resolved(target.root());
        Map<String, Path> real = new LinkedHashMap<>();
        for (var d : dirs.entrySet()) {
            Path dir = d.getValue();
            if (!Files.isSymbolicLink(dir)) {
                real.put(d.getKey(), RuntimeLayout.resolved(dir));
                continue;
            }
            String what = dir + " (" + d.getKey() + "/) is a link to " + Files.readSymbolicLink(dir);
            if (!liveRuntime) throw new IOException(what + ": a restore into a --target writes only inside it; give one without links");
            Path to = SwapItems.followLink(d.getKey(), dir);
            if (root.startsWith(to)) throw new IOException(what + ", which holds the runtime itself");
            for (Path part : to) {
                if (part.toString().startsWith(".restore-")) throw new IOException(what + ", inside a restore's own directory");
            }
            if (!d.getKey().equals("data") && !Files.isWritable(to.getParent())) {
                throw new IOException(what + ": the copy it replaces goes aside in " + to.getParent() + ", which this user cannot write");
            }
            real.put(d.getKey(), to);
        }
        Optional<List<String>> overlap = RuntimeLayout.overlapping(real);
        if (overlap.isPresent()) {
            String a = overlap.get().get(0);
            String b = overlap.get().get(1);
            throw new IOException(a + "/ and " + b + "/ are one directory, or one holds the other: " + real.get(a) + ", " + real.get(b));
        }
    }

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
        this.plan = new SwapItems(live, this.staging, scope, STAMP.format(now));
    }

    /** Where a restore stages: beside the runtime, so that its renames stay on one file system. */
    public static Path stagingDir(RuntimeLayout live, Instant now) {
        return live.root().resolve(RestoreStaging.PREFIX + STAMP.format(now) + "-" + ProcessHandle.current().pid());
    }

    /** The dry run: what {@link #swap} would add, change and remove. Changes nothing, staging included. */
    public Description describe() throws IOException {
        plan.requireStaged();
        return SwapPreview.of(scope, plan.items(), keepLive);
    }

    /**
     * Carries the kept live files into staging, then swaps. On failure everything is moved back and a
     * {@link RestoreException} says which step failed; if even the rollback fails, it says what is where.
     */
    public Result swap(boolean keepReplaced) throws IOException {
        plan.requireStaged();
        List<String> kept = scope.config() ? carryKeptFiles() : List.of();
        List<Item> items = plan.items();
        // every rename and mkdir below is journalled (fsynced) before it is made, so a kill -9 at any
        // point leaves what the next restore needs to take the swap back, or to finish it once committed
        SwapJournal journal = SwapJournal.begin(staging);
        List<Path> incoming;
        try {
            for (Path dir : SwapItems.replacedDirs(items)) journal.replaced(dir);
            incoming = CrossFileSystemCopy.copy(items, journal);
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

        List<Path> replaced = SwapItems.replacedDirs(items);
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

    static Path companion(Path db, String suffix) {
        return db.resolveSibling(db.getFileName() + suffix);
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
