package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeat pings (factory.notify.heartbeat-url, routes/heartbeat.camel.yaml) from real runs to a
 * receiver this test serves on loopback, healthchecks.io style: a backup from the command line pings
 * start and success, a failing verification start and fail with its reason, a scheduled run in the
 * service the same; a receiver that is down or never answers leaves the backup's outcome alone. The
 * ping key in the URL's path reaches no log and no terminal.
 */
class HeartbeatEndToEndTest {
    static final String PING_KEY = "pingkey-3c9e71";

    HttpServer receiver;
    final LinkedBlockingQueue<String> pings = new LinkedBlockingQueue<>();
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean hang;
    ServeProcess serve;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // daemon threads: the in-process CLI runs (Cli.run) fail on a thread they leave running, and these are the receiver's
        receiver.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ping-receiver");
            t.setDaemon(true);
            return t;
        }));
        receiver.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            pings.add(ex.getRequestMethod() + " " + ex.getRequestURI() + (body.isEmpty() ? "" : " " + body));
            if (hang) {
                try {
                    release.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (serve != null) serve.close();
        release.countDown();
        receiver.stop(0);
    }

    private String base() {
        return "/ping/" + PING_KEY + "/";
    }

    private Map<String, String> env(Path tmp, String url) {
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        env.put("FACTORY_NOTIFY_HEARTBEAT_URL", url);
        return env;
    }

    private static Path runtime(Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(30).days(2).ledgerRows(40).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        return root;
    }

    /** The pings received so far, after waiting up to 60 s for the n-th. */
    private List<String> received(int n) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got.size() < n) {
            String p = pings.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (p == null) break;
            got.add(p);
        }
        return got;
    }

    @Test
    void aBackupPingsStartAndSuccess_aFailingVerifyPingsFailWithItsReason(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        Map<String, String> env = env(tmp, "http://127.0.0.1:" + receiver.getAddress().getPort() + base() + "{flow}");

        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        assertThat(received(2)).containsExactly("POST " + base() + "backup-full/start", "POST " + base() + "backup-full");

        Files.delete(root.resolve("proof/proof-000000000007.json"));
        Cli.Result verify = Cli.run(env, "verify", "proofs", "--root=" + root);
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.err().lines()).as("still one line on stderr").hasSize(1);
        List<String> got = received(2);
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).isEqualTo("POST " + base() + "verify-proofs/start");
        assertThat(got.get(1)).startsWith("POST " + base() + "verify-proofs/fail ").contains("seq 7 missing").doesNotContain("\n");
        assertThat(pings).as("one start and one outcome per run").isEmpty();

        String seen = backup.out() + backup.err() + verify.out() + verify.err() + Cli.read(tmp.resolve("factory-dr.log"));
        assertThat(seen).doesNotContain(PING_KEY);
    }

    @Test
    void aFlowAnotherFlowSendsToPingsNothingOfItsOwn(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        Map<String, String> env = env(tmp, "http://127.0.0.1:" + receiver.getAddress().getPort() + base() + "{flow}");
        int closed = ServeProcess.freePort();
        // the backup sends its archive on to offsite-upload, on the same exchange; S3 is down
        env.putAll(Map.of("FACTORY_S3_ENABLED", "true", "FACTORY_S3_ENDPOINT", "http://127.0.0.1:" + closed,
                "FACTORY_S3_RETRIES", "0", "FACTORY_S3_RETRY_DELAY_MS", "10",
                "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "aws-secret-7c2d"));
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isNotZero();
        List<String> got = received(2);
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).isEqualTo("POST " + base() + "backup-full/start");
        assertThat(got.get(1)).startsWith("POST " + base() + "backup-full/fail ").contains("127.0.0.1:" + closed)
                .doesNotContain("aws-secret-7c2d");
        assertThat(pings).as("no offsite-upload pings: its outcome is the backup's").isEmpty();
    }

    @Test
    void aScheduledRunInTheServicePingsToo(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        Map<String, String> env = env(tmp, "http://127.0.0.1:" + receiver.getAddress().getPort() + base() + "{flow}?create=1");
        env.put("FACTORY_HTTP_PORT", String.valueOf(ServeProcess.freePort()));
        for (String flow : List.of("proof-daily-archive", "alert-archive", "backup-full", "backup-incremental", "retention",
                "offsite-catch-up", "drill-quarterly")) {
            env.put("FACTORY_SCHEDULE_" + flow.toUpperCase().replace('-', '_') + "_ENABLED", "false");
        }
        // verify-daily every second; with no backup yet it fails (no restore set to verify)
        env.put("FACTORY_SCHEDULE_VERIFY_DAILY_CRON", "* * * * * ?");
        serve = ServeProcess.start(env, "--root=" + root);

        List<String> got = received(2);
        assertThat(got).as(Cli.read(tmp.resolve("factory-dr.log"))).hasSize(2);
        assertThat(got.get(0)).isEqualTo("POST " + base() + "verify-daily/start?create=1");
        assertThat(got.get(1)).startsWith("POST " + base() + "verify-daily/fail?create=1 ").doesNotContain("\n");
        String log = Cli.read(tmp.resolve("factory-dr.log"));
        assertThat(log).contains("verify-daily failed: " + got.get(1).substring(("POST " + base() + "verify-daily/fail?create=1 ").length()));
        assertThat(log + serve.output()).doesNotContain(PING_KEY);
    }

    @Test
    void aReceiverThatIsDownOrNeverAnswersDoesNotFailTheBackup(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        int closed = ServeProcess.freePort();
        Map<String, String> down = env(tmp, "http://127.0.0.1:" + closed + base() + "{flow}");
        Cli.Result backup = Cli.run(down, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        String log = Cli.read(tmp.resolve("factory-dr.log"));
        assertThat(log).contains("heartbeat ping http://127.0.0.1:" + closed + "/[redacted] failed for backup-full's start ping")
                .contains("heartbeat ping http://127.0.0.1:" + closed + "/[redacted] failed for backup-full's success ping");

        hang = true;
        Map<String, String> silent = env(tmp, "http://127.0.0.1:" + receiver.getAddress().getPort() + base() + "{flow}");
        silent.put("FACTORY_NOTIFY_HEARTBEAT_TIMEOUT_MS", "500");
        Cli.Result second = Cli.run(silent, "verify", "proofs", "--root=" + root);
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(received(2)).as("both pings were sent, neither answered")
                .containsExactly("POST " + base() + "verify-proofs/start", "POST " + base() + "verify-proofs");
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains("verify-proofs's start ping: java.net.http.HttpTimeoutException");

        String seen = backup.out() + backup.err() + second.out() + second.err() + Cli.read(tmp.resolve("factory-dr.log"));
        assertThat(seen).doesNotContain(PING_KEY);
    }

    @Test
    void aHeartbeatUrlWithoutFlowIsRefusedWithoutShowingIt(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        Cli.Result r = Cli.run(env(tmp, "https://hc-ping.com/" + PING_KEY), "backup", "full", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("factory.notify.heartbeat-url").contains("{flow}").doesNotContain(PING_KEY);
        assertThat(r.out() + r.err()).doesNotContain("Exception");
    }
}
