package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup that dies half-way (a full disk, a kill -9) leaves no archive under its final name,
 * and the next run sweeps the leftovers and succeeds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupInterruptedTest {
    Path tmp;
    Path root;
    Map<String, String> env;

    @BeforeAll
    void runtime(@TempDir Path classTmp) throws Exception {
        tmp = classTmp;
        root = tmp.resolve("runtime");
        // 60 MB of recent logs: big enough that writing the archive takes a moment
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(3000).days(1).ledgerRows(100).logMb(60)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        env = Cli.env(tmp);
    }

    private static List<String> files(Path dir) throws Exception {
        while (true) {
            if (!Files.exists(dir)) return List.of();
            try (Stream<Path> s = Files.walk(dir)) {
                return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
            } catch (java.io.UncheckedIOException e) {
                // a running backup's file (SQLite's journal, say) went between the listing and its stat: look again
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) throw e;
            }
        }
    }

    @Test
    void fullDiskLeavesNoArchiveAndSaysWhy() throws Exception {
        Path archiveDir = tmp.resolve("full-disk");
        // 1.5 MB per file: the snapshots and SQLite's native library fit, the archive does not
        Cli.Result r = Cli.finish(Cli.start(1536, env, "backup", "full", "--root=" + root, "--archive-dir=" + archiveDir), 300);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).contains("backup full failed").containsIgnoringCase("file too large");
        // the catalog, and the flow's and the backup chain's locks in .locks/ (not archives: they stay between runs)
        assertThat(files(archiveDir)).allSatisfy(f -> assertThat(f).matches("catalog\\.db.*|\\.locks/backup-(full|chain)\\.lock"));

        Cli.Result retry = Cli.run(env, "backup", "full", "--root=" + root, "--archive-dir=" + archiveDir);
        assertThat(retry.exit()).as(retry.toString()).isZero();
        assertThat(files(archiveDir)).filteredOn(f -> f.endsWith(".enc")).hasSize(1);
        assertThat(files(archiveDir.resolve(".work"))).isEmpty();
    }

    @Test
    void killedMidWriteLeavesNoArchiveAndTheNextRunSweepsTheLeftovers() throws Exception {
        Path archiveDir = tmp.resolve("killed");
        Process p = Cli.start(env, "backup", "full", "--root=" + root, "--archive-dir=" + archiveDir);
        Path work = archiveDir.resolve(".work");
        long deadline = System.nanoTime() + 120_000_000_000L;
        boolean writing = false;
        while (!writing && p.isAlive() && System.nanoTime() < deadline) {
            writing = files(work).stream().anyMatch(f -> f.contains(".out/") && f.endsWith(".tar.gz.enc")
                    && sizeOf(work.resolve(f)) > 1_000_000);
            if (!writing) Thread.sleep(20);
        }
        assertThat(writing).as("the archive was being written when the process was killed").isTrue();
        p.destroyForcibly().waitFor();

        assertThat(files(archiveDir)).noneMatch(f -> f.startsWith("full/"));
        assertThat(files(work)).isNotEmpty(); // the dead run's scratch files

        Cli.Result retry = Cli.run(env, "backup", "full", "--root=" + root, "--archive-dir=" + archiveDir);
        assertThat(retry.exit()).as(retry.toString()).isZero();
        // the archive, its two sidecars and the manifest's Ed25519 signature
        assertThat(files(archiveDir)).filteredOn(f -> f.startsWith("full/")).hasSize(4).anyMatch(f -> f.endsWith(".manifest.json.sig"));
        assertThat(files(work)).isEmpty();
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (Exception e) {
            return 0;
        }
    }
}
