package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.MemoryDisk;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime that has lived a while: 200,000 proof files, backed up, verified, restored into a new
 * target and brought back byte for byte, every command in a JVM with the launcher's default heap
 * (192 MB), which one heap object per file (manifest, sidecar tree, read-back maps, listings) ran out
 * of at about this size's fivefold. The largest size that fits CI's budget; the million is measured by
 * bench/run.sh --files. The runtime, its archive and the restore are in memory (MemoryDisk): what this
 * shows is the heap at scale; the disk's speed is the bench's business.
 */
class RuntimeAtScaleEndToEndTest {
    static final int PROOFS = 200_000;
    static final String LAUNCHER_HEAP = "192m";

    @TempDir Path tmp;

    @Test
    void twoHundredThousandProofsBackedUpVerifiedAndRestoredByteForByte() throws Exception {
        try (MemoryDisk disk = MemoryDisk.create(tmp)) {
            atScale(disk.dir());
        }
    }

    private void atScale(Path scratch) throws Exception {
        Path root = scratch.resolve("rt");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(PROOFS).days(30).ledgerRows(5000).logMb(1)
                .leavesPerProof(2).towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = Cli.env(tmp);

        Cli.Result backup = Cli.runWithHeap(LAUNCHER_HEAP, env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        Path archive;
        try (var s = Files.list(root.resolve("archive/full"))) {
            archive = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }

        Cli.Result verify = Cli.runWithHeap(LAUNCHER_HEAP, env, "verify", "archive", archive.toString(), "--root=" + root);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).startsWith("archive verified: ");

        Path target = scratch.resolve("restored");
        Cli.Result restore = Cli.runWithHeap(LAUNCHER_HEAP, env, "restore", "--archive=" + archive, "--target=" + target, "--root=" + root);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(RuntimeHash.of(target, "proof")).isEqualTo(RuntimeHash.of(root, "proof"));
    }
}
