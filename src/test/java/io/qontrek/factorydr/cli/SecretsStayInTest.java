package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret reaches a child process or a log: the three secrets stay out of the environment of the
 * `sync` a restore runs (a real one, behind a wrapper that records what it was given), and neither
 * they nor a webhook's token (a Slack webhook's token is its path) appear on stdout, stderr, in the
 * log file or in the alert log, while a failed offsite copy alerts a webhook that answers 500.
 */
class SecretsStayInTest {
    static final String WEBHOOK_TOKEN = "hooktoken-5f1e9c";

    @Test
    void noSecretReachesAChildProcessOrALog(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(30).days(2).ledgerRows(40).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Path dumps = Files.createDirectories(tmp.resolve("child-env"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        String realSync = Cli.sh(tmp, Map.of(), "command -v sync").out().trim();
        Path wrapper = Files.writeString(bin.resolve("sync"),
                "#!/bin/sh\nenv > '" + dumps + "'/sync-$$.env\nexec " + realSync + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));

        AtomicInteger posted = new AtomicInteger();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            posted.incrementAndGet();
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        hook.start();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<Cli.Result> runs = new ArrayList<>();
        try {
            Map<String, String> env = Cli.env(tmp);
            env.put("PATH", bin + ":" + System.getenv("PATH"));
            env.put("FACTORY_ALERTS_WEBHOOK_URL",
                    "http://127.0.0.1:" + hook.getAddress().getPort() + "/services/T0/B0/" + WEBHOOK_TOKEN);
            Map<String, String> offsite = new java.util.HashMap<>(env);
            offsite.putAll(Map.of("FACTORY_S3_ENABLED", "true", "FACTORY_S3_ENDPOINT", "http://127.0.0.1:" + closedPort,
                    "FACTORY_S3_RETRIES", "0", "FACTORY_S3_RETRY_DELAY_MS", "10",
                    "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "aws-secret-7c2d"));

            runs.add(Cli.run(offsite, "backup", "full", "--root=" + root));
            runs.add(Cli.run(env, "restore", "--date=latest", "--root=" + root));
            assertThat(runs.get(1).exit()).as(runs.get(1).toString()).isZero();
        } finally {
            hook.stop(0);
        }

        assertThat(posted.get()).as("the failed offsite copy was alerted to the webhook").isPositive();
        List<Path> childEnvs;
        try (Stream<Path> s = Files.list(dumps)) {
            childEnvs = s.toList();
        }
        assertThat(childEnvs).as("the restore ran sync").isNotEmpty();
        for (Path e : childEnvs) {
            String childEnv = Files.readString(e);
            assertThat(childEnv).contains("PATH=");
            assertThat(childEnv).doesNotContain(Cli.ARCHIVE_KEY, Cli.SIGNING_SECRET, Cli.TOWER_SECRET,
                    "aws-secret-7c2d", WEBHOOK_TOKEN, "ARCHIVE_ENCRYPTION_KEY", "FACTORY_SIGNING_SECRET");
        }

        List<String> seen = new ArrayList<>();
        for (Cli.Result r : runs) {
            seen.add(r.out());
            seen.add(r.err());
        }
        seen.add(Cli.read(tmp.resolve("factory-dr.log")));
        try (Stream<Path> s = Files.walk(root.resolve("logs"))) {
            for (Path f : s.filter(Files::isRegularFile).toList()) seen.add(Cli.read(f));
        }
        String all = String.join("\n", seen);
        assertThat(all).as("the webhook failure is logged, its URL redacted").contains("/[redacted] answered HTTP 500");
        assertThat(all).doesNotContain(Cli.ARCHIVE_KEY, Cli.SIGNING_SECRET, Cli.TOWER_SECRET, "aws-secret-7c2d",
                WEBHOOK_TOKEN);
    }
}
