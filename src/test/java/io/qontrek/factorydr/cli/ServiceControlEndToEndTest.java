package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While a service runs, `factory-dr backup ...` hands its flow to it over the control socket; without
 * one (none started, stopped, or dead with its socket left behind) the command runs the flow itself.
 */
class ServiceControlEndToEndTest {
    @TempDir Path tmp;

    @Test
    void backupCommandsRunInTheServiceWhileItRunsAndInTheirOwnProcessOnceItStops() throws Exception {
        Path root = runtime();
        Path socket = root.resolve("archive/.control/factory-dr.sock");
        ServeProcess serve = ServeProcess.start(quietService(root));
        try {
            awaitSocket(serve, socket);
            assertThat(Files.getPosixFilePermissions(socket.getParent()))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
            String byService = "run by the factory-dr service (pid " + serve.pid() + ")";

            // the command holds no secret: only the service, which has them, can have written these
            Map<String, String> noSecrets = Cli.env(tmp);
            noSecrets.remove("ARCHIVE_ENCRYPTION_KEY");
            noSecrets.remove("FACTORY_SIGNING_SECRET");
            Cli.Result full = Cli.run(noSecrets, "backup", "full", "--root=" + root);
            assertThat(full.exit()).as(full.toString()).isZero();
            assertThat(full.out()).contains("full backup written and verified: " + root.resolve("archive/full"), byService);

            RuntimeEdits.appendProofs(root, 1, Cli.TOWER_SECRET);
            Cli.Result incremental = Cli.run(noSecrets, "--json", "backup", "incremental", "--root=" + root);
            assertThat(incremental.exit()).as(incremental.toString()).isZero();
            JsonNode written = new ObjectMapper().readTree(incremental.out());
            assertThat(written.path("status").asText()).isEqualTo("written");
            assertThat(written.path("files").asInt()).as("the new proof, its day's digest and the three databases' (empty) deltas")
                    .isEqualTo(5);
            assertThat(written.path("service_pid").asLong()).isEqualTo(serve.pid());
            Cli.Result check = Cli.run(Cli.env(tmp), "verify", "archive", written.path("archive").asText(), "--root=" + root);
            assertThat(check.exit()).as(check.toString()).isZero();

            Cli.Result again = Cli.run(noSecrets, "backup", "incremental", "--root=" + root);
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.out()).contains("no archive written (checked by the factory-dr service, pid " + serve.pid() + ")");

            Cli.Result noDigest = Cli.run(noSecrets, "backup", "proofs", "--date=2001-01-01", "--root=" + root);
            assertThat(noDigest.exit()).as(noDigest.toString()).isEqualTo(1);
            assertThat(noDigest.err().lines()).hasSize(1);
            assertThat(noDigest.err()).contains("backup proofs failed: no daily digest for 2001-01-01", "(in the service, pid " + serve.pid() + ")");

            Map<String, String> second = quietService(root);
            second.put("FACTORY_HTTP_PORT", String.valueOf(ServeProcess.freePort()));
            Cli.Result twice = Cli.run(second, "serve");
            assertThat(twice.exit()).as(twice.toString()).isEqualTo(2);
            assertThat(twice.err()).contains("another factory-dr service is already serving the archive directory "
                    + root.resolve("archive") + " (process " + serve.pid() + " since ");

            // a service of another archive directory, told to listen at the same socket
            Map<String, String> elsewhere = quietService(root);
            elsewhere.put("FACTORY_HTTP_PORT", String.valueOf(ServeProcess.freePort()));
            elsewhere.put("FACTORY_ARCHIVE_DIR", tmp.resolve("other-archive").toString());
            elsewhere.put("FACTORY_CONTROL_SOCKET", socket.toString());
            Cli.Result sameSocket = Cli.run(elsewhere, "serve");
            assertThat(sameSocket.exit()).as(sameSocket.toString()).isEqualTo(2);
            assertThat(sameSocket.err()).contains("another factory-dr service answers at " + socket);
        } finally {
            assertThat(serve.stop(120)).as("serve stops on SIGTERM").isTrue();
        }
        assertThat(socket).as("removed when the service stops").doesNotExist();

        RuntimeEdits.appendProofs(root, 1, Cli.TOWER_SECRET);
        Cli.Result own = Cli.run(Cli.env(tmp), "backup", "incremental", "--root=" + root);
        assertThat(own.exit()).as(own.toString()).isZero();
        assertThat(own.out()).contains("incremental backup written and verified").doesNotContain("factory-dr service");
    }

    @Test
    void aSocketLeftByADeadServiceIsPassedBy() throws Exception {
        Path root = runtime();
        Path socket = root.resolve("archive/.control/factory-dr.sock");
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).as("a killed service leaves its socket file").exists();

        Cli.Result own = Cli.run(Cli.env(tmp), "backup", "full", "--root=" + root);

        assertThat(own.exit()).as(own.toString()).isZero();
        assertThat(own.out()).contains("full backup written and verified").doesNotContain("factory-dr service");
    }

    private Path runtime() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(300).days(2).ledgerRows(50).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        return root;
    }

    /** A service with every schedule off: it runs only what commands ask of it. */
    private Map<String, String> quietService(Path root) throws Exception {
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        env.put("FACTORY_ROOT", root.toString());
        env.put("FACTORY_HTTP_PORT", String.valueOf(ServeProcess.freePort()));
        for (String flow : List.of("proof-daily-archive", "alert-archive", "backup-full", "backup-incremental",
                "offsite-catch-up", "verify-daily", "drill-quarterly", "retention")) {
            env.put("FACTORY_SCHEDULE_" + flow.toUpperCase().replace('-', '_') + "_ENABLED", "false");
        }
        return env;
    }

    private static void awaitSocket(ServeProcess serve, Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.exists(socket) && serve.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(socket).as("the service's control socket").exists();
    }
}
