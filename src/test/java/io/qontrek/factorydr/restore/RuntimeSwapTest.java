package io.qontrek.factorydr.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swaps staged restores into copies of a generated runtime, staged from a real full backup by the
 * SafeExtractor. Failures are injected by wrapping the real rename and breaking it at one step.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimeSwapTest {
    static final Instant AT = Instant.parse("2025-11-01T10:00:00Z");

    Path original;
    StoredArchive full;
    SampleRuntime.Summary sample;
    List<String> keepLive;

    @TempDir Path tmp;

    @BeforeAll
    void backUpARuntime(@TempDir Path dir) throws Exception {
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        original = dir.resolve("runtime");
        sample = Archives.runtime(original, 50, end);
        full = Archives.full(Archives.layout(original), end.plusSeconds(60));
        keepLive = new ArrayList<>(full.manifest().skipped());
        keepLive.addAll(full.manifest().redacted());
        assertThat(full.manifest().skipped()).as("the sample plants secret files the backup skips").isNotEmpty();
        assertThat(full.manifest().redacted()).contains("config/key_registry.json");
    }

    /** A fresh live runtime (a copy of the generated one, archive dir left out) and its staged restore. */
    private RuntimeLayout live(String name) throws IOException {
        Path root = tmp.resolve(name);
        copyTree(original, root, p -> !p.startsWith(original.resolve("archive")));
        return Archives.layout(root);
    }

    private Path stage(RuntimeLayout live, RuntimeSwap.Scope scope) throws IOException {
        Path staging = RuntimeSwap.stagingDir(live, AT);
        SafeExtractor.extract(full.file(), Archives.key(), staging, scope::wants);
        return staging;
    }

    /** The disaster: proofs lost, the ledger overwritten, a stale WAL, a config file edited, panic raised. */
    private static void damage(RuntimeLayout live) throws IOException {
        try (Stream<Path> s = Files.list(live.proofDir())) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("proof-0000000000")).toList()) Files.delete(p);
        }
        Files.write(live.ledgerDb(), new byte[] {1, 2, 3});
        Files.writeString(live.dataDir().resolve("federation_ledger.db-wal"), "stale wal");
        Files.writeString(live.dataDir().resolve("receipts.db-shm"), "stale shm");
        Files.writeString(live.panicFlag(), "ledger corrupt");
        Files.writeString(live.proofDir().resolve("stray.json"), "{}");
    }

    @Test
    void swapsAllInAndKeepsPanicLogsAndTheSecretsTheArchiveLeftOut() throws Exception {
        RuntimeLayout live = live("all");
        Map<String, String> secretsBefore = snapshotOf(live.root(), keepLive);
        damage(live);
        Map<String, String> logsBefore = TreeSnapshot.of(live.logsDir());
        Path staging = stage(live, RuntimeSwap.Scope.ALL);

        RuntimeSwap.Result r = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive).swap(false);

        assertThat(r.swapped()).containsExactly("proof", "config", "data/federation_ledger.db", "data/nonce_store.db", "data/receipts.db");
        assertThat(r.keptLive()).containsExactlyInAnyOrderElementsOf(
                keepLive.stream().filter(k -> Files.exists(live.root().resolve(k))).toList());
        assertThat(r.replacedKept()).isEmpty();
        assertThat(r.warning()).isNull();
        for (FileRecord f : full.manifest().files().toList()) {
            if (f.path().startsWith("logs/") || keepLive.contains(f.path())) continue;
            assertThat(TreeSnapshot.sha256(live.root().resolve(f.path()))).as(f.path()).isEqualTo(f.sha256());
        }
        assertThat(live.proofDir().resolve("stray.json")).as("proof/ is the archive's, not a merge").doesNotExist();
        assertThat(snapshotOf(live.root(), keepLive)).as("secrets kept byte for byte").isEqualTo(secretsBefore);
        assertThat(live.panicFlag()).hasContent("ledger corrupt");
        assertThat(live.dataDir().resolve("federation_ledger.db-wal")).doesNotExist();
        assertThat(live.dataDir().resolve("receipts.db-shm")).doesNotExist();
        assertThat(TreeSnapshot.of(live.logsDir())).as("logs are not restored over").isEqualTo(logsBefore);
        assertThat(leftovers(live.root())).isEmpty();
    }

    @Test
    void describeSaysWhatASwapWouldDoAndChangesNothing() throws Exception {
        RuntimeLayout live = live("describe");
        damage(live);
        Files.writeString(live.configDir().resolve("key_registry.json"), "{\"keys\": []}"); // kept live all the same
        Path staging = stage(live, RuntimeSwap.Scope.ALL);
        Map<String, String> before = TreeSnapshot.of(live.root());

        RuntimeSwap.Description d = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive).describe();

        assertThat(TreeSnapshot.of(live.root())).as("a dry run changes nothing").isEqualTo(before);
        long lostProofs = full.manifest().files().toList().stream().filter(f -> f.path().matches("proof/proof-0000000000\\d\\d\\.json")).count();
        assertThat(d.added()).hasSize((int) lostProofs).allMatch(p -> p.startsWith("proof/proof-0000000000"));
        // judged independently of the staged copy: by the manifest's SHA-256 against the live file
        List<String> changed = new ArrayList<>();
        for (FileRecord f : full.manifest().files().toList()) {
            Path l = live.root().resolve(f.path());
            if (RuntimeSwap.Scope.ALL.wants(f.path()) && !keepLive.contains(f.path()) && Files.exists(l)
                    && !TreeSnapshot.sha256(l).equals(f.sha256())) changed.add(f.path());
        }
        assertThat(changed).contains("data/federation_ledger.db"); // the others differ too: snapshots are not byte copies
        assertThat(d.changed()).containsExactlyInAnyOrderElementsOf(changed);
        assertThat(d.removed()).containsExactly("data/federation_ledger.db-wal", "data/receipts.db-shm", "proof/stray.json");
        assertThat(d.keptLive()).containsExactlyInAnyOrderElementsOf(
                keepLive.stream().filter(k -> Files.exists(live.root().resolve(k))).toList());
        long restored = full.manifest().files().toList().stream().filter(f -> RuntimeSwap.Scope.ALL.wants(f.path())).count();
        assertThat(d.unchanged()).isEqualTo(restored - lostProofs - changed.size() - full.manifest().redacted().size());
        assertThat(d.summary()).isEqualTo("restore all: " + lostProofs + " added, " + changed.size() + " changed, 3 removed, " + d.unchanged()
                + " unchanged, " + d.keptLive().size() + " kept live");
    }

    @Test
    void ledgerScopeReplacesOnlyTheThreeDatabases() throws Exception {
        RuntimeLayout live = live("ledger");
        damage(live);
        Files.writeString(live.dataDir().resolve("notes.txt"), "operator notes");
        Map<String, String> proof = TreeSnapshot.of(live.proofDir());
        Map<String, String> config = TreeSnapshot.of(live.configDir());
        Path staging = stage(live, RuntimeSwap.Scope.LEDGER);

        RuntimeSwap.Result r = new RuntimeSwap(live, staging, RuntimeSwap.Scope.LEDGER, keepLive).swap(false);

        assertThat(r.swapped()).containsExactly("data/federation_ledger.db", "data/nonce_store.db", "data/receipts.db");
        assertThat(r.keptLive()).isEmpty();
        for (String db : RuntimeSwap.DATABASES) {
            FileRecord f = full.manifest().files().toList().stream().filter(x -> x.path().equals("data/" + db)).findFirst().orElseThrow();
            assertThat(TreeSnapshot.sha256(live.dataDir().resolve(db))).isEqualTo(f.sha256());
        }
        assertThat(live.panicFlag()).hasContent("ledger corrupt");
        assertThat(live.dataDir().resolve("notes.txt")).hasContent("operator notes");
        assertThat(live.dataDir().resolve("federation_ledger.db-wal")).doesNotExist();
        assertThat(TreeSnapshot.of(live.proofDir())).isEqualTo(proof);
        assertThat(TreeSnapshot.of(live.configDir())).isEqualTo(config);
        assertThat(leftovers(live.root())).isEmpty();
    }

    @Test
    void proofScopeReplacesOnlyProof() throws Exception {
        RuntimeLayout live = live("proof");
        damage(live);
        Map<String, String> data = TreeSnapshot.of(live.dataDir());
        Map<String, String> config = TreeSnapshot.of(live.configDir());
        Path staging = stage(live, RuntimeSwap.Scope.PROOF);

        new RuntimeSwap(live, staging, RuntimeSwap.Scope.PROOF, keepLive).swap(false);

        assertThat(TreeSnapshot.of(live.dataDir())).isEqualTo(data);
        assertThat(TreeSnapshot.of(live.configDir())).isEqualTo(config);
        assertThat(TreeSnapshot.of(live.proofDir())).isEqualTo(TreeSnapshot.of(original.resolve("proof")));
    }

    @Test
    void configScopeKeepsEverySecretFileTheArchiveLeftOut() throws Exception {
        RuntimeLayout live = live("config");
        Map<String, String> secretsBefore = snapshotOf(live.root(), keepLive);
        Files.writeString(live.configDir().resolve("governance/rogue.yaml"), "rogue: true");
        Path staging = stage(live, RuntimeSwap.Scope.CONFIG);
        for (String skipped : full.manifest().skipped()) assertThat(staging.resolve(skipped)).doesNotExist();

        new RuntimeSwap(live, staging, RuntimeSwap.Scope.CONFIG, keepLive).swap(false);

        assertThat(snapshotOf(live.root(), keepLive)).isEqualTo(secretsBefore);
        assertThat(live.configDir().resolve("governance/rogue.yaml")).doesNotExist();
        assertThat(TreeSnapshot.of(live.configDir())).isEqualTo(TreeSnapshot.of(original.resolve("config")));
    }

    @Test
    void directoriesTheDisasterDeletedAreCreated() throws Exception {
        RuntimeLayout live = live("deleted");
        deleteTree(live.proofDir());
        deleteTree(live.configDir());
        deleteTree(live.dataDir());
        Path staging = stage(live, RuntimeSwap.Scope.ALL);

        RuntimeSwap.Description d = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive).describe();
        assertThat(d.changed()).isEmpty();
        assertThat(d.removed()).isEmpty();
        assertThat(d.unchanged()).isZero();
        RuntimeSwap.Result r = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive).swap(false);

        assertThat(r.keptLive()).isEmpty(); // nothing live to keep: the secrets are gone with the disaster
        assertThat(TreeSnapshot.of(live.proofDir())).isEqualTo(TreeSnapshot.of(original.resolve("proof")));
        assertThat(live.ledgerDb()).exists();
        assertThat(leftovers(live.root())).isEmpty();
    }

    @Test
    void keepReplacedLeavesWhatWasThereBesideTheRuntime() throws Exception {
        RuntimeLayout live = live("keep");
        damage(live);
        Map<String, String> proofBefore = TreeSnapshot.of(live.proofDir());
        Path staging = stage(live, RuntimeSwap.Scope.ALL);

        RuntimeSwap.Result r = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive, RuntimeSwap.RENAME, AT).swap(true);

        Path replaced = live.root().resolve(".restore-replaced-20251101T100000Z");
        assertThat(r.replacedKept()).containsExactly(replaced);
        assertThat(TreeSnapshot.of(replaced.resolve("proof"))).isEqualTo(proofBefore);
        assertThat(replaced.resolve("data/federation_ledger.db")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(replaced.resolve("data/federation_ledger.db-wal")).hasContent("stale wal");
    }

    @Test
    void aFailureAtEveryStepRollsTheRuntimeBackByteForByte() throws Exception {
        // count the renames of a successful swap, then break each one in turn
        RuntimeLayout probe = live("probe");
        damage(probe);
        AtomicInteger renames = new AtomicInteger();
        new RuntimeSwap(probe, stage(probe, RuntimeSwap.Scope.ALL), RuntimeSwap.Scope.ALL, keepLive,
                (from, to) -> {
                    renames.incrementAndGet();
                    RuntimeSwap.RENAME.move(from, to);
                }, AT).swap(false);
        // proof, config: aside + in (4); ledger: wal, db aside + in (3); nonce: aside + in (2); receipts: shm, aside + in (3)
        assertThat(renames.get()).isEqualTo(12);

        for (int failAt = 1; failAt <= renames.get(); failAt++) {
            RuntimeLayout live = live("fail-" + failAt);
            damage(live);
            Path staging = stage(live, RuntimeSwap.Scope.ALL);
            Map<String, String> before = runtimeSnapshot(live.root());
            Map<String, String> stagedBefore = TreeSnapshot.of(staging);
            int breakAt = failAt;
            AtomicInteger n = new AtomicInteger();
            RuntimeSwap swap = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive, (from, to) -> {
                if (n.incrementAndGet() == breakAt) throw new IOException("injected failure");
                RuntimeSwap.RENAME.move(from, to);
            }, AT);

            assertThatThrownBy(() -> swap.swap(false)).as("failing rename %d", failAt)
                    .isInstanceOf(RestoreException.class)
                    .hasMessageStartingWith("restore failed ")
                    .hasMessageContaining("(injected failure); rolled back, the runtime is as it was");
            assertThat(runtimeSnapshot(live.root())).as("runtime after failing rename %d", failAt).isEqualTo(before);
            assertThat(leftovers(live.root())).as("after failing rename %d", failAt).isEmpty();
            // staging is whole again (plus the kept secrets carried into it), so the swap can be retried
            Map<String, String> stagedAfter = TreeSnapshot.of(staging);
            assertThat(stagedAfter.keySet()).containsAll(stagedBefore.keySet());
            RuntimeSwap.Result retry = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive, RuntimeSwap.RENAME, AT)
                    .swap(false);
            assertThat(retry.swapped()).hasSize(5);
        }
    }

    /** What a kill -9 does to the swap: it stops dead, with no rollback (an Error passes the swap's catch). */
    static final class Killed extends Error {
        Killed() {
            super("killed", null, false, false);
        }
    }

    @Test
    void aSwapKilledAtEveryRenameIsTakenBackByTheNextRestoresSweep() throws Exception {
        for (int killAt = 1; killAt <= 12; killAt++) {
            RuntimeLayout live = live("killed-" + killAt);
            damage(live);
            Path staging = stage(live, RuntimeSwap.Scope.ALL);
            Map<String, String> before = runtimeSnapshot(live.root());
            int stopAt = killAt;
            AtomicInteger n = new AtomicInteger();
            RuntimeSwap swap = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive, (from, to) -> {
                if (n.incrementAndGet() == stopAt) throw new Killed();
                RuntimeSwap.RENAME.move(from, to);
            }, AT);
            assertThatThrownBy(() -> swap.swap(false)).isInstanceOf(Killed.class);
            Map<String, String> half = runtimeSnapshot(live.root());
            if (killAt > 1) assertThat(half).as("killed at rename %d: the runtime is half swapped", killAt).isNotEqualTo(before);

            // the owner still runs: nothing is touched
            new io.qontrek.factorydr.common.ProcessOwner(ProcessHandle.current().pid(),
                    ProcessHandle.current().info().startInstant().orElseThrow()).writeTo(staging.resolve(RestoreStaging.OWNER));
            assertThat(RestoreStaging.sweep(live, true)).isEmpty();
            assertThat(runtimeSnapshot(live.root())).isEqualTo(half);
            // the owner is gone (its pid now another process's: another start time)
            new io.qontrek.factorydr.common.ProcessOwner(ProcessHandle.current().pid(), Instant.EPOCH)
                    .writeTo(staging.resolve(RestoreStaging.OWNER));
            if (killAt > 1) {
                // a backup or a drill refuses a half-restored runtime and moves nothing
                assertThatThrownBy(() -> RestoreStaging.sweep(live, false)).isInstanceOf(RestoreException.class)
                        .hasMessageStartingWith("runtime " + live.root() + " is half restored: the restore of process ")
                        .hasMessageEndingWith("run `factory-dr restore` again to take that swap back and restore; nothing was done");
                assertThat(runtimeSnapshot(live.root())).isEqualTo(half);
            }
            if (killAt % 2 == 0) {
                // as a restore sweeps: the swap taken back now, the staging deleted after its own swap
                List<WorkDir.Dead> dead = RestoreStaging.resolve(live, true);
                assertThat(dead).extracting(WorkDir.Dead::dir).containsExactly(staging);
                assertThat(runtimeSnapshot(live.root())).as("killed at rename %d, then resolved", killAt).isEqualTo(before);
                assertThat(staging.resolve(SwapJournal.FILE)).as("resolved: nothing for a later sweep to redo").doesNotExist();
                // killed again before deleting it: the next sweep, even a backup's, finds a plain dead staging
                assertThat(RestoreStaging.resolve(live, false)).extracting(WorkDir.Dead::what).singleElement().asString()
                        .endsWith("the runtime was not touched");
                assertThat(WorkDir.sweep(dead.get(0)).orElseThrow().files()).isPositive();
            } else {
                assertThat(RestoreStaging.sweep(live, true)).containsExactly(staging);
            }
            assertThat(runtimeSnapshot(live.root())).as("killed at rename %d, then swept", killAt).isEqualTo(before);
            try (Stream<Path> s = Files.list(live.root())) {
                assertThat(s.map(p -> p.getFileName().toString())).as("killed at rename %d", killAt).noneMatch(x -> x.startsWith(".restore-"));
            }
        }
    }

    @Test
    void aDeadStagingWaitsForTheSwapOnlyWhenTheRestoreFitsBesideIt() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("fits"));
        long usable = Files.getFileStore(root).getUsableSpace();
        assertThat(RestoreStaging.fitsBesideDead(root, 0)).isTrue();
        assertThat(RestoreStaging.fitsBesideDead(root, usable / 2)).isTrue();
        assertThat(RestoreStaging.fitsBesideDead(root, usable)).as("no room to spare").isFalse();
        assertThat(RestoreStaging.fitsBesideDead(root, -1)).as("size not known").isFalse();
    }

    @Test
    void aMissingStagedItemChangesNothing() throws Exception {
        RuntimeLayout live = live("missing");
        damage(live);
        Path staging = stage(live, RuntimeSwap.Scope.ALL);
        deleteTree(staging.resolve("config"));
        Map<String, String> before = runtimeSnapshot(live.root());

        assertThatThrownBy(() -> new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive).swap(false))
                .isInstanceOf(RestoreException.class)
                .hasMessage("staging has no config/ (" + staging.resolve("config") + "); nothing was changed");
        assertThatThrownBy(() -> new RuntimeSwap(live, tmp.resolve("nowhere"), RuntimeSwap.Scope.ALL, keepLive).swap(false))
                .hasMessage("staging directory " + tmp.resolve("nowhere") + " does not exist; nothing was changed");
        assertThat(runtimeSnapshot(live.root())).isEqualTo(before);
    }

    /**
     * proof/ and data/ on another file system than the staging, as when they are volumes mounted at
     * /proof and /data: the restore copies the staged items onto that file system and swaps what is
     * inside the directories; a failure at any rename rolls back byte for byte.
     */
    @Test
    void directoriesOnAnotherFileSystemAreSwappedByContentAndRolledBackOnFailure() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(tmp)), "/dev/shm is another writable file system");
        Path volumes = Files.createTempDirectory(shm, "factorydr-volumes");
        try {
            for (int failAt = 1; failAt <= 3; failAt++) {
                RuntimeLayout live = onVolumes(live("volumes-fail-" + failAt), volumes.resolve("fail-" + failAt));
                damage(live);
                Path staging = stage(live, RuntimeSwap.Scope.ALL);
                Map<String, String> before = volumeSnapshot(live);
                int breakAt = failAt * 7; // somewhere among the per-file renames inside proof/ and data/
                AtomicInteger n = new AtomicInteger();
                RuntimeSwap failing = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive, (from, to) -> {
                    if (n.incrementAndGet() == breakAt) throw new IOException("injected failure");
                    RuntimeSwap.RENAME.move(from, to);
                }, AT);
                assertThatThrownBy(() -> failing.swap(false)).isInstanceOf(RestoreException.class)
                        .hasMessageContaining("(injected failure); rolled back, the runtime is as it was");
                assertThat(volumeSnapshot(live)).as("after failing rename %d", breakAt).isEqualTo(before);
            }

            RuntimeLayout live = onVolumes(live("volumes"), volumes.resolve("ok"));
            damage(live);
            Path staging = stage(live, RuntimeSwap.Scope.ALL);
            RuntimeSwap.Result r = new RuntimeSwap(live, staging, RuntimeSwap.Scope.ALL, keepLive).swap(false);
            assertThat(r.swapped()).containsExactly("proof", "config", "data/federation_ledger.db", "data/nonce_store.db", "data/receipts.db");
            for (FileRecord f : full.manifest().files().toList()) {
                if (!f.path().startsWith("proof/") && !RuntimeSwap.DATABASES.contains(f.path().replace("data/", ""))) continue;
                Path at = f.path().startsWith("proof/") ? live.proofDir().resolve(f.path().substring(6)) : live.dataDir().resolve(f.path().substring(5));
                assertThat(TreeSnapshot.sha256(at)).as(f.path()).isEqualTo(f.sha256());
                // the copy onto the volume keeps what the restore gave the staged file: mode, mtime, owner
                assertThat(f.attributes()).as(f.path()).isNotNull();
                assertThat((Integer) Files.getAttribute(at, "unix:mode") & 07777).as(f.path()).isEqualTo(f.attributes().mode());
                assertThat(Files.getLastModifiedTime(at).toInstant()).as(f.path()).isEqualTo(f.attributes().mtime());
                assertThat(Integer.toUnsignedLong((Integer) Files.getAttribute(at, "unix:uid"))).as(f.path()).isEqualTo(f.attributes().uid());
            }
            assertThat(live.proofDir().resolve("stray.json")).doesNotExist();
            assertThat(live.panicFlag()).hasContent("ledger corrupt");
            try (Stream<Path> s = Stream.concat(Files.list(live.proofDir()), Files.list(live.dataDir()))) {
                assertThat(s.map(p -> p.getFileName().toString())).noneMatch(x -> x.startsWith(".restore-"));
            }
        } finally {
            deleteTree(volumes);
        }
    }

    /** The same runtime with proof/ and data/ moved onto another file system. */
    private static RuntimeLayout onVolumes(RuntimeLayout live, Path volume) throws IOException {
        Files.createDirectories(volume);
        copyTree(live.proofDir(), volume.resolve("proof"), p -> true);
        copyTree(live.dataDir(), volume.resolve("data"), p -> true);
        deleteTree(live.proofDir());
        deleteTree(live.dataDir());
        return new RuntimeLayout(live.root(), volume.resolve("proof"), live.configDir(), volume.resolve("data"),
                live.logsDir(), live.archiveDir());
    }

    private static Map<String, String> volumeSnapshot(RuntimeLayout live) throws IOException {
        Map<String, String> out = new TreeMap<>();
        TreeSnapshot.of(live.proofDir()).forEach((k, v) -> out.put("proof/" + k, v));
        TreeSnapshot.of(live.dataDir()).forEach((k, v) -> out.put("data/" + k, v));
        TreeSnapshot.of(live.configDir()).forEach((k, v) -> out.put("config/" + k, v));
        return out;
    }

    @Test
    void scopesParseAndFilterArchiveEntries() {
        assertThat(RuntimeSwap.Scope.parse("all")).isEqualTo(RuntimeSwap.Scope.ALL);
        assertThat(RuntimeSwap.Scope.parse("ledger")).isEqualTo(RuntimeSwap.Scope.LEDGER);
        assertThatThrownBy(() -> RuntimeSwap.Scope.parse("logs")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("restore scope 'logs' is not one of all, proof, ledger, config");
        assertThat(RuntimeSwap.Scope.ALL.wants("logs/service.log")).isFalse();
        assertThat(RuntimeSwap.Scope.ALL.wants("data/ATLAS_PANIC")).isFalse();
        assertThat(RuntimeSwap.Scope.ALL.wants("data/receipts.db")).isTrue();
        assertThat(RuntimeSwap.Scope.LEDGER.wants("proof/proof-000000000001.json")).isFalse();
        assertThat(RuntimeSwap.Scope.CONFIG.wants("config/key_registry.json")).isTrue();
        assertThat(RuntimeSwap.Scope.PROOF.wants("proof/digests/")).isTrue();
    }

    // --- helpers

    /** The runtime tree, staging left out (a swap carries kept secrets into it). */
    private static Map<String, String> runtimeSnapshot(Path root) throws IOException {
        Map<String, String> s = TreeSnapshot.of(root);
        s.keySet().removeIf(k -> k.startsWith(".restore-staging-"));
        return s;
    }

    private static List<String> leftovers(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".restore-replaced-")).toList();
        }
    }

    private static Map<String, String> snapshotOf(Path root, List<String> paths) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String p : paths) {
            Path f = root.resolve(p);
            if (Files.exists(f)) out.put(p, TreeSnapshot.sha256(f));
        }
        return out;
    }

    private static void copyTree(Path from, Path to, java.util.function.Predicate<Path> include) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!include.test(p)) continue;
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
