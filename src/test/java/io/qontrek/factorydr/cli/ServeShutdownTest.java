package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM while a scheduled backup is being written: the service stops, and no archive is ever half-written. */
class ServeShutdownTest {
    @TempDir Path tmp;

    @Test
    void sigtermDuringABackupLeavesOnlyWholeVerifiedArchives() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(2000).days(1).ledgerRows(100).logMb(60)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        env.put("FACTORY_ROOT", root.toString());
        try (ServerSocket s = new ServerSocket(0)) {
            env.put("FACTORY_HTTP_PORT", String.valueOf(s.getLocalPort()));
        }
        for (String flow : List.of("proof-daily-archive", "alert-archive", "backup-incremental", "verify-daily",
                "drill-quarterly", "retention")) {
            env.put("FACTORY_SCHEDULE_" + flow.toUpperCase().replace('-', '_') + "_ENABLED", "false");
        }
        env.put("FACTORY_SCHEDULE_BACKUP_FULL_CRON", "* * * * * ?");
        Process serve = Cli.start(env, "serve");
        Path work = root.resolve("archive/.work");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        boolean writing = false;
        while (!writing && serve.isAlive() && System.nanoTime() < deadline) {
            writing = files(work).stream().anyMatch(f -> f.toString().endsWith(".tar.gz.enc") && size(f) > 500_000);
            if (!writing) Thread.sleep(20);
        }
        assertThat(writing).as("a scheduled backup was being written").isTrue();
        serve.destroy(); // SIGTERM
        assertThat(serve.waitFor(120, TimeUnit.SECONDS)).as("serve stops on SIGTERM").isTrue();

        List<Path> archives = files(root.resolve("archive/full")).stream().filter(p -> p.toString().endsWith(".enc")).toList();
        for (Path a : archives) {
            Cli.Result v = Cli.run(Cli.env(tmp), "verify", "archive", a.toString(), "--root=" + root);
            assertThat(v.exit()).as("%s is whole: %s", a, v).isZero();
        }
        // whatever was cut short is scratch, swept by the next run
        Cli.Result next = Cli.run(Cli.env(tmp), "backup", "incremental", "--root=" + root);
        assertThat(next.exit()).isIn(0, 1);
        assertThat(files(work)).isEmpty();
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (Exception e) {
            return 0;
        }
    }
}
