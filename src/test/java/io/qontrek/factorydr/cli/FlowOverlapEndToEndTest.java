package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.TestJvm;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flow another process is running is refused in one line, and runs once that process is gone. */
class FlowOverlapEndToEndTest {
    @TempDir Path tmp;

    @Test
    void aBackupAnotherProcessIsRunningIsRefusedAndWrittenOnceItEnds() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(50).days(1).ledgerRows(20).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        // another process in backup-full: it holds the flow's lock (FlowLockTest's helper does what FlowGuard does)
        List<String> command = new java.util.ArrayList<>(TestJvm.command(List.of(), "io.qontrek.factorydr.camel.FlowLockTest"));
        command.add(root.resolve("archive/.locks/backup-full.lock").toString());
        Process other = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertThat(new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8)).readLine())
                    .isEqualTo("locked");

            Cli.Result refused = Cli.run(Cli.env(tmp), "backup", "full", "--root=" + root);

            assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err().lines()).hasSize(1);
            assertThat(refused.err()).contains("backup full failed: backup-full is already running (in process "
                    + other.pid() + " since 2026-01-01T00:00:00Z); this trigger is skipped");
            assertThat(root.resolve("archive/full")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                    p -> assertThat(p).isEmptyDirectory());
        } finally {
            other.destroyForcibly();
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }

        Cli.Result written = Cli.run(Cli.env(tmp), "backup", "full", "--root=" + root);
        assertThat(written.exit()).as(written.toString()).isZero();
        try (var full = Files.list(root.resolve("archive/full"))) {
            assertThat(full.filter(p -> p.toString().endsWith(".tar.gz.enc"))).hasSize(1);
        }
    }
}
