package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real runs killed with a real {@code kill -9} at named steps (the test-only hook
 * {@code -Dfactory.test.pause-at=<step>}, common/TestPause, makes the child JVM stop there and say
 * so): nothing they leave behind survives the next run, the runtime ends exactly as backed up, and
 * no archive name is blocked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KilledRunsLeaveNothingTest {
    Path tmp;
    Path root;
    Map<String, String> env;
    SampleRuntime.Summary sample;
    /** proof/, config/ and data/ as a restore of the full backup leaves them: "exactly as backed up". */
    String restored;

    @BeforeAll
    void backUpAndRestoreOnce(@TempDir Path classTmp) throws Exception {
        tmp = classTmp;
        root = tmp.resolve("runtime");
        // 6 days: the tests take the first four and the last, which must differ at any hour (4 days spanned 4 or 5 dates)
        sample = SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(400).days(6).ledgerRows(500).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(3600)).build(), null);
        env = Cli.env(tmp);
        Cli.Result full = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(full.exit()).as(full.toString()).isZero();
        Cli.Result r = Cli.run(env, "restore", "--date=latest", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        restored = RuntimeHash.of(root, "proof", "config", "data");
    }

    @ParameterizedTest
    @ValueSource(strings = {"restore-extracting", "restore-staged", "restore-moved-aside-one", "restore-swapped-one", "restore-swapped"})
    void aRestoreKilledAtThisStepIsFinishedByTheNextRestore(String step) throws Exception {
        damage();
        assertThat(RuntimeHash.of(root, "proof", "config", "data")).isNotEqualTo(restored);

        long pid = killAt(step, "restore", "--date=latest", "--root=" + root);
        Path staging = only(root, ".restore-staging-");
        assertThat(staging.getFileName().toString()).endsWith("-" + pid);
        assertThat(staging.resolve("owner")).content().startsWith(pid + " ");
        if (step.startsWith("restore-swapped") || step.equals("restore-moved-aside-one")) {
            assertThat(names(root)).as("the copies the swap replaced").anyMatch(n -> n.startsWith(".restore-replaced-"));
        }
        if (step.equals("restore-moved-aside-one")) {
            assertThat(root.resolve("proof")).as("killed between moving proof/ aside and renaming the staged one in").doesNotExist();
            // a backup does not archive a half-restored runtime, nor move live files to mend it
            Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
            assertThat(backup.exit()).as(backup.toString()).isEqualTo(1);
            assertThat(backup.err()).contains("is half restored", "run `factory-dr restore` again");
            assertThat(root.resolve("proof")).doesNotExist();
        }
        // the status says so where the swap was cut half-way (the directories may all be there, half of them
        // restored), and only there: before the swap the runtime is untouched, after it whole
        Cli.Result status = Cli.run(env, "status", "--root=" + root);
        if (step.equals("restore-moved-aside-one") || step.equals("restore-swapped-one")) {
            assertThat(status.out()).as(status.toString()).containsPattern("unhealthy +runtime +.*is half restored");
        } else {
            assertThat(status.out()).as(status.toString()).containsPattern("(?m)^  healthy +runtime +proof, config, data and logs");
        }

        Cli.Result r = Cli.run(env, "restore", "--date=latest", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(RuntimeHash.of(root, "proof", "config", "data")).as("after a kill at %s and a restore", step).isEqualTo(restored);
        assertThat(names(root)).as("nothing of either restore is left beside the runtime").noneMatch(n -> n.startsWith(".restore-"));
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains("swept " + staging);
        // the killed restore's staging goes once the runtime is back: deleting a million files takes minutes
        assertThat(r.out()).contains("deleted after the swap: " + staging.getFileName() + " (");
        // said before the wait (on the terminal, and in the log)
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains("restore: deleting " + staging
                + ", left by a killed run, after the swap: the runtime is already restored");
    }

    @Test
    void aRuntimeWhoseRootIsALinkIsSweptThroughItToo() throws Exception {
        // FACTORY_ROOT=/srv/factory -> /data/factory: the stagings are at the link's target, where the sweep must look
        Path link = Files.createSymbolicLink(tmp.resolve("runtime-link"), root);
        damage();
        long pid = killAt("restore-moved-aside-one", "restore", "--date=latest", "--root=" + link);
        Path staging = only(root, ".restore-staging-");
        assertThat(staging.getFileName().toString()).endsWith("-" + pid);
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + link);
        assertThat(backup.exit()).as("a half-restored runtime backed up through its link: " + backup).isEqualTo(1);
        assertThat(backup.err()).contains("is half restored", "run `factory-dr restore` again");

        Cli.Result r = Cli.run(env, "restore", "--date=latest", "--root=" + link);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(RuntimeHash.of(root, "proof", "config", "data")).isEqualTo(restored);
        assertThat(names(root)).as("nothing of either restore is left beside the runtime").noneMatch(n -> n.startsWith(".restore-"));
        assertThat(r.out()).contains("deleted after the swap: " + staging.getFileName() + " (");
    }

    @Test
    void aKilledRestoresStagingGoesFirstWhenTheRestoresSizeIsNotKnown_andAfterADryRun() throws Exception {
        killAt("restore-extracting", "restore", "--date=latest", "--root=" + root);
        Path staging = only(root, ".restore-staging-");
        Cli.Result dry = Cli.run(env, "restore", "--date=latest", "--dry-run", "--root=" + root);
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("deleted after this restore: " + staging.getFileName() + " (");
        assertThat(names(root)).noneMatch(n -> n.startsWith(".restore-"));

        // an archive from outside the archive directory: the catalog does not know how much it holds
        killAt("restore-extracting", "restore", "--date=latest", "--root=" + root);
        Path again = only(root, ".restore-staging-");
        Path fullDir = root.resolve("archive/full");
        Path outside = Files.createDirectories(tmp.resolve("outside/full"));
        try (Stream<Path> s = Files.list(fullDir)) {
            for (Path f : s.toList()) Files.copy(f, outside.resolve(f.getFileName()));
        }
        String name;
        try (Stream<Path> s = Files.list(outside)) {
            name = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }
        Cli.Result r = Cli.run(env, "restore", "--archive=" + outside.resolve(name), "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("deleted first, to make room for this restore (its size is not in the catalog): "
                + again.getFileName() + " (");
        assertThat(RuntimeHash.of(root, "proof", "config", "data")).isEqualTo(restored);
        assertThat(names(root)).noneMatch(n -> n.startsWith(".restore-"));
    }

    @Test
    void aKilledDrillsStagingCopyIsSweptByTheNextBackup() throws Exception {
        long pid = killAt("restore-staged", "drill", "--root=" + root);
        Path work = root.resolve("archive/.work").resolve(Long.toString(pid));
        Path drill = only(work, "drill-");
        assertThat(drill.resolve(".owner")).content().startsWith(pid + " ");
        try (Stream<Path> s = Files.walk(work)) {
            assertThat(s.map(Path::toString)).as("the drill's staged restore, a plaintext copy").anyMatch(p -> p.contains("/.restore-staging-"));
        }
        Cli.Result backup = Cli.run(env, "backup", "proofs", "--date=" + sample.firstDay(), "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        assertThat(work).doesNotExist();
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains("swept " + drill + " (");
    }

    @Test
    void aKilledDrillsStagingCopyIsDeletedByTheNextRestoreAfterItsSwap() throws Exception {
        long pid = killAt("restore-staged", "drill", "--root=" + root);
        Path work = root.resolve("archive/.work").resolve(Long.toString(pid));
        Path drill = only(work, "drill-");
        Cli.Result r = Cli.run(env, "restore", "--date=latest", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("deleted after the swap: " + drill.getFileName() + " (", "): scratch work of process " + pid);
        assertThat(work).as("the dead drill's .work/<pid>/ goes with its last work").doesNotExist();
        assertThat(RuntimeHash.of(root, "proof", "config", "data")).isEqualTo(restored);
    }

    @Test
    void sidecarsWithoutTheirArchiveDoNotBlockItsName() throws Exception {
        // the state an older version's crash left: the sidecars renamed into place, the archive not
        String day = sample.lastDay().toString();
        Path elsewhere = tmp.resolve("elsewhere");
        assertThat(Cli.run(env, "backup", "proofs", "--date=" + day, "--root=" + root, "--archive-dir=" + elsewhere).exit()).isZero();
        Path archive = root.resolve("archive/proof/" + day + ".tar.gz.enc");
        Files.createDirectories(archive.getParent());
        for (String sidecar : List.of(".sha256", ".manifest.json")) {
            Files.copy(elsewhere.resolve("proof/" + day + ".tar.gz.enc" + sidecar), Path.of(archive + sidecar));
        }

        Cli.Result r = Cli.run(env, "backup", "proofs", "--date=" + day, "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Cli.run(env, "verify", "archive", archive.toString(), "--root=" + root).exit()).isZero();
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains("swept " + archive + ".sha256");
    }

    @Test
    void aBackupKilledBetweenTheArchiveAndItsSidecarsDoesNotBlockTheName() throws Exception {
        String day = sample.firstDay().plusDays(1).toString();
        Path archive = root.resolve("archive/proof/" + day + ".tar.gz.enc");
        killAt("backup-published-archive", "backup", "proofs", "--date=" + day, "--root=" + root);
        assertThat(archive).as("the archive has its name").exists();
        assertThat(Path.of(archive + ".sha256")).as("its sidecars do not").doesNotExist();

        Cli.Result r = Cli.run(env, "backup", "proofs", "--date=" + day, "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Path.of(archive + ".sha256")).exists();
        assertThat(Path.of(archive + ".manifest.json")).exists();
        assertThat(Cli.run(env, "verify", "archive", archive.toString(), "--root=" + root).exit()).isZero();
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains("swept " + archive + ":");
    }

    @Test
    void aBackupKilledAfterPublishingBeforeRecordingDoesNotBlockTheName() throws Exception {
        String day = sample.firstDay().plusDays(2).toString();
        Path archive = root.resolve("archive/proof/" + day + ".tar.gz.enc");
        killAt("backup-published", "backup", "proofs", "--date=" + day, "--root=" + root);
        assertThat(Path.of(archive + ".manifest.json")).as("published").exists();
        assertThat(Cli.run(env, "list", "--json", "--root=" + root).out()).as("not recorded").doesNotContain(day + ".tar.gz.enc");

        Cli.Result r = Cli.run(env, "backup", "proofs", "--date=" + day, "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Cli.run(env, "list", "--json", "--root=" + root).out()).as("recorded").contains("proof/" + day + ".tar.gz.enc");
        assertThat(Cli.run(env, "verify", "archive", archive.toString(), "--root=" + root).exit()).isZero();
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains(archive + " was published by a run killed before recording it;"
                + " it verifies and holds what this run collected");

        // another day's archive under this day's name is not taken for a finished backup: the name stays refused
        String other = sample.firstDay().plusDays(3).toString();
        Path forged = root.resolve("archive/proof/" + other + ".tar.gz.enc");
        Files.copy(archive, forged);
        Files.copy(Path.of(archive + ".sha256"), Path.of(forged + ".sha256"));
        Files.copy(Path.of(archive + ".manifest.json"), Path.of(forged + ".manifest.json"));
        Cli.Result refused = Cli.run(env, "backup", "proofs", "--date=" + other, "--root=" + root);
        assertThat(refused.exit()).as(refused.toString()).isNotZero();
        assertThat(refused.err()).contains("already exists", "is not in the catalog and does not verify");
    }

    @Test
    void aFullKilledAfterPublishingBeforeRecordingIsRecordedByTheNextBackup() throws Exception {
        // a runtime of its own: another full in the shared one would be what the other tests restore
        Path root = tmp.resolve("runtime-adopting");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(50).days(2).ledgerRows(50).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(3600)).build(), null);
        Cli.Result first = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(first.exit()).as(first.toString()).isZero();
        Thread.sleep(1100); // a full's name is its second
        killAt("backup-published", "backup", "full", "--root=" + root);
        Path full;
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            full = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        String name = "full/" + full.getFileName();
        assertThat(Path.of(full + ".manifest.json")).as("published").exists();
        assertThat(Cli.run(env, "list", "--json", "--root=" + root).out()).as("not recorded").doesNotContain(name);

        // its name is a time no retry takes: only the next backup of the chain can find it
        Cli.Result r = Cli.run(env, "backup", "incremental", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Cli.run(env, "list", "--json", "--root=" + root).out()).as("recorded").contains(name);
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains(full + " was published by a run killed before recording it;"
                + " it verifies whole: recorded");
    }

    @Test
    void aCatalogRebuildKilledPartWayLeavesTheCatalogAsItWas() throws Exception {
        Path catalog = root.resolve("archive/catalog.db");
        Path kept = tmp.resolve("catalog-kept");
        Files.createDirectories(kept);
        List<Path> files = List.of(catalog, Path.of(catalog + "-wal"), Path.of(catalog + "-shm"));
        for (Path f : files) if (Files.exists(f)) Files.move(f, kept.resolve(f.getFileName().toString()));
        try {
            int archives = new io.qontrek.factorydr.catalog.Catalog(kept.resolve("catalog.db")).archives().size();
            assertThat(archives).isPositive();
            // the catalog lost: a rebuild killed once it recorded one archive (of its one transaction)
            killAt("catalog-rebuild-recorded-one", "catalog", "rebuild", "--root=" + root);
            assertThat(new io.qontrek.factorydr.catalog.Catalog(catalog).archives())
                    .as("a part of the archive directory would read as the whole of it").isEmpty();
            Cli.Result list = Cli.run(env, "list", "--root=" + root);
            assertThat(list.out() + list.err()).doesNotContain("full/");

            Cli.Result rebuild = Cli.run(env, "catalog", "rebuild", "--root=" + root);
            assertThat(rebuild.exit()).as(rebuild.toString()).isZero();
            assertThat(new io.qontrek.factorydr.catalog.Catalog(catalog).archives()).hasSize(archives);
        } finally { // the other tests' catalog, with its runs
            for (Path f : files) Files.deleteIfExists(f);
            for (Path f : files) {
                Path k = kept.resolve(f.getFileName().toString());
                if (Files.exists(k)) Files.move(k, f);
            }
        }
    }

    /** Runs a command until it reaches the step, then kill -9; returns its pid. */
    private long killAt(String step, String... args) throws Exception {
        Map<String, String> paused = new HashMap<>(env);
        paused.put("JAVA_TOOL_OPTIONS", "-Dfactory.test.pause-at=" + step);
        Process p = Cli.start(paused, args);
        StringBuilder err = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                err.append(line).append('\n');
                if (line.equals("factory.test.pause-at: paused at " + step)) {
                    Cli.Result kill = Cli.sh(tmp, Map.of(), "kill -9 " + p.pid());
                    assertThat(kill.exit()).as(kill.toString()).isZero();
                    assertThat(p.waitFor()).isEqualTo(137);
                    return p.pid();
                }
            }
        }
        throw new AssertionError(String.join(" ", args) + " ended (exit " + p.waitFor() + ") without reaching " + step + ":\n" + err);
    }

    /** The disaster the restores mend: proofs lost, a stray proof, a database overwritten, a config file added. */
    private void damage() throws Exception {
        try (Stream<Path> s = Files.list(root.resolve("proof"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("proof-00000000000")).toList()) Files.delete(p);
        }
        Files.writeString(root.resolve("proof/stray.json"), "{}");
        Files.write(root.resolve("data/receipts.db"), new byte[] {1, 2, 3});
        Files.writeString(root.resolve("config/stray.conf"), "x=1\n");
    }

    private static Path only(Path dir, String prefix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertThat(found).as(prefix + "* in " + dir).hasSize(1);
            return found.get(0);
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
