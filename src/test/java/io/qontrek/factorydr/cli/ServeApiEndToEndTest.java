package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `factory-dr serve` in its own JVM on a free port, read over HTTP as an operator or a probe would:
 * healthz, the governance gates flipping as the runtime changes under it, the catalog, Prometheus
 * metrics; and alerts from the governance watch and from a failing CLI flow, in the runtime's alert
 * log and POSTed to a webhook this test serves on loopback.
 */
class ServeApiEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A Prometheus text sample line: name, optional labels, a number. */
    static final Pattern SAMPLE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})? -?[0-9]+(\\.[0-9]+)?");

    HttpServer hook;
    final LinkedBlockingQueue<JsonNode> posted = new LinkedBlockingQueue<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ServeProcess serve;

    @BeforeEach
    void startWebhook() throws IOException {
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/alerts", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            posted.add(JSON.readTree(body));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (serve != null) serve.close();
        hook.stop(0);
    }

    private Map<String, String> env(Path tmp) {
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        env.put("FACTORY_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + hook.getAddress().getPort() + "/alerts");
        return env;
    }

    private static Path runtime(Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(60).days(2).ledgerRows(100).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        return root;
    }

    record Reply(int status, String contentType, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private Reply get(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    private static JsonNode gate(JsonNode governance, String name) {
        for (JsonNode g : governance.get("gates")) if (g.get("name").asText().equals(name)) return g;
        throw new AssertionError("no gate " + name + " in " + governance);
    }

    /**
     * Waits until serve answers on every endpoint (any status but 404: the HTTP server listens before
     * the last platform-http route has joined it), or fails with its output.
     */
    private void awaitServing(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(serve.isAlive()).as("serve exited:\n" + serve.output()).isTrue();
            try {
                boolean all = true;
                for (String path : List.of("/api/mcp/healthz", "/api/mcp/governance", "/api/backups", "/metrics")) {
                    all &= get(port, path).status() != 404;
                }
                if (all) return;
            } catch (ConnectException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("serve did not answer on port " + port + " within 90 s:\n" + serve.output());
    }

    /** The next webhook POST that matches, waiting up to 60 s. */
    private JsonNode awaitPost(Predicate<JsonNode> matching) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            JsonNode n = posted.poll(left, TimeUnit.NANOSECONDS);
            if (n != null && matching.test(n)) return n;
        }
        throw new AssertionError("no matching webhook POST within 60 s");
    }

    private static List<JsonNode> alertLines(Path root) throws IOException {
        Path log = root.resolve("logs/alerts/factory-dr-" + LocalDate.now(ZoneOffset.UTC) + ".log");
        if (!Files.exists(log)) return List.of();
        try (Stream<String> lines = Files.lines(log)) {
            return lines.map(l -> {
                try {
                    return JSON.readTree(l);
                } catch (IOException e) {
                    throw new AssertionError("alert line is not JSON: " + l);
                }
            }).toList();
        }
    }

    @Test
    void serveAnswersOnItsPort_andTheGatesFollowTheRuntime(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        int port = ServeProcess.freePort();
        Map<String, String> env = env(tmp);
        env.put("FACTORY_HTTP_PORT", String.valueOf(port));      // a _PORT variable Camel Main itself would ignore
        env.put("FACTORY_GOVERNANCE_OFFSITE_REQUIRED", "false");
        env.put("FACTORY_GOVERNANCE_WATCH_INTERVAL_SECONDS", "1");
        serve = ServeProcess.start(env, "--root=" + root);
        awaitServing(port);

        // no backup yet: healthy service, failing governance, and the watch alerts the RPO breach
        Reply health = get(port, "/api/mcp/healthz");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        assertThat(health.contentType()).startsWith("application/json");
        assertThat(health.json().get("status").asText()).isEqualTo("healthy");
        assertThat(health.json().get("checks")).extracting(c -> c.get("name").asText())
                .contains("routes", "runtime", "archive", "disk", "catalog", "backups", "offsite");
        JsonNode governance = get(port, "/api/mcp/governance").json();
        assertThat(governance.get("pass").asBoolean()).isFalse();
        assertThat(gate(governance, "rpo").get("pass").asBoolean()).isFalse();
        assertThat(gate(governance, "rpo").get("detail").asText()).contains("no full or incremental backup");
        JsonNode breach = awaitPost(n -> n.get("message").asText().startsWith("RPO breach"));
        assertThat(breach.get("flow").asText()).isEqualTo("governance-watch");
        assertThat(breach.get("severity").asText()).isEqualTo("critical");
        assertThat(alertLines(root)).contains(breach);

        // a full backup, a whole verification, a proof chain verification and a signed drill proof: every gate passes
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        Cli.Result verifyBackup = Cli.run(env, "verify", "backup", "--root=" + root);
        assertThat(verifyBackup.exit()).as(verifyBackup.toString()).isZero();
        Cli.Result verify = Cli.run(env, "verify", "proofs", "--root=" + root);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        io.qontrek.factorydr.recovery.SignedDrillProof.passed(io.qontrek.factorydr.config.RuntimeLayout.under(root),
                Instant.now().minus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Cli.SIGNING_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        governance = get(port, "/api/mcp/governance").json();
        assertThat(governance.get("pass").asBoolean()).as(governance.toPrettyString()).isTrue();
        awaitPost(n -> n.get("severity").asText().equals("info") && n.get("message").asText().contains("gate rpo passes again"));

        // panic flag: its gate fails with the reason; gone: passes again
        Files.writeString(root.resolve("data/ATLAS_PANIC"), "drill: ledger deleted\n");
        governance = get(port, "/api/mcp/governance").json();
        assertThat(governance.get("pass").asBoolean()).isFalse();
        assertThat(gate(governance, "panic").get("pass").asBoolean()).isFalse();
        assertThat(gate(governance, "panic").get("detail").asText()).contains("drill: ledger deleted");
        Files.delete(root.resolve("data/ATLAS_PANIC"));
        assertThat(get(port, "/api/mcp/governance").json().get("pass").asBoolean()).isTrue();

        // the catalog, as `list --json` shows it
        Reply backups = get(port, "/api/backups");
        assertThat(backups.status()).isEqualTo(200);
        Cli.Result list = Cli.run(env, "list", "--json", "--root=" + root);
        assertThat(backups.json()).isEqualTo(JSON.readTree(list.out()));
        assertThat(backups.json()).hasSize(1);

        // Prometheus text: every sample line parses, the expected families are there
        Reply metrics = get(port, "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).startsWith("text/plain");
        for (String line : metrics.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
            assertThat(SAMPLE.matcher(line).matches()).as("not a Prometheus sample: " + line).isTrue();
        }
        assertThat(metrics.body()).contains("factory_dr_flow_runs_total{flow=\"backup-full\",outcome=\"ok\"} 1\n",
                "factory_dr_flow_runs_total{flow=\"verify-proofs\",outcome=\"ok\"} 1\n", "factory_dr_archives{type=\"full\"} 1\n",
                "factory_dr_flow_last_success_timestamp_seconds{flow=\"backup-full\"} ",
                "factory_dr_flow_last_run_duration_seconds{flow=\"backup-full\"} ",
                "factory_dr_flow_last_success_bytes_written{flow=\"backup-full\"} ", "factory_dr_archive_bytes{type=\"full\"} ",
                "factory_dr_governance_pass 1\n", "factory_dr_governance_gate_pass{gate=\"rpo\"} 1\n",
                "factory_dr_recovery_point_age_seconds{data=\"proof\"} ",
                "factory_dr_recovery_point_age_seconds{data=\"federation_ledger\"} ",
                "factory_dr_recovery_point_age_seconds{data=\"nonce_store\"} ",
                "factory_dr_recovery_point_age_seconds{data=\"receipts\"} ");

        // the newest backup's archive disappears: the backup gates fail
        String name = backups.json().get(0).get("name").asText();
        Path archive = root.resolve("archive").resolve(name);
        Files.move(archive, tmp.resolve("moved-away"));
        governance = get(port, "/api/mcp/governance").json();
        assertThat(gate(governance, "rpo").get("pass").asBoolean()).isFalse();
        assertThat(gate(governance, "full-backup").get("pass").asBoolean()).isFalse();
        assertThat(gate(governance, "full-backup").get("detail").asText()).contains(name).contains("missing");

        // the proof directory disappears: unhealthy, 503
        Files.move(root.resolve("proof"), tmp.resolve("proof-away"));
        health = get(port, "/api/mcp/healthz");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().get("status").asText()).isEqualTo("unhealthy");
        Files.move(tmp.resolve("proof-away"), root.resolve("proof"));
        assertThat(get(port, "/api/mcp/healthz").status()).isEqualTo(200);

        // a catalog that is not a database: healthz answers unhealthy, saying so, rather than failing the request
        Path catalog = root.resolve("archive/catalog.db");
        Files.move(catalog, tmp.resolve("catalog-away"));
        Files.writeString(catalog, "not a database ".repeat(100));
        health = get(port, "/api/mcp/healthz");
        assertThat(health.status()).as(health.body()).isEqualTo(503);
        JsonNode catalogCheck = null;
        for (JsonNode c : health.json().get("checks")) if (c.get("name").asText().equals("catalog")) catalogCheck = c;
        assertThat(catalogCheck).as(health.body()).isNotNull();
        assertThat(catalogCheck.get("status").asText()).isEqualTo("unhealthy");
        assertThat(catalogCheck.get("detail").asText()).contains("cannot read the catalog");
        Files.move(tmp.resolve("catalog-away"), catalog, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(get(port, "/api/mcp/healthz").status()).isEqualTo(200);
        assertThat(serve.output()).doesNotContain(Cli.ARCHIVE_KEY).doesNotContain(Cli.SIGNING_SECRET);
    }

    @Test
    void theDemoIsJudgedOnlyOnceItsFirstFullIsIn(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("demo");
        int port = ServeProcess.freePort();
        Map<String, String> env = env(tmp);
        env.put("FACTORY_HTTP_PORT", String.valueOf(port));
        env.put("FACTORY_GOVERNANCE_WATCH_INTERVAL_SECONDS", "1");
        serve = ServeProcess.start(env, "--demo", "--root=" + root);
        awaitServing(port);
        // the watch's first tick after the full: the gates a fresh demo fails (no offsite copy, no drill yet)
        JsonNode first = awaitPost(n -> n.get("flow").asText().equals("governance-watch"));
        assertThat(serve.output()).contains("factory-dr is serving the demo runtime");
        Thread.sleep(2_000); // two more ticks
        assertThat(alertLines(root)).as("the alerts of a fresh demo").contains(first)
                .noneMatch(n -> n.get("message").asText().toLowerCase().contains("rpo"));
        assertThat(gate(get(port, "/api/mcp/governance").json(), "rpo").get("pass").asBoolean()).isTrue();
    }

    @Test
    void aFailingFlowWritesAnAlertLineAndPostsItToTheWebhook(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        Files.delete(root.resolve("proof/proof-000000000007.json"));
        Map<String, String> env = env(tmp);
        Cli.Result verify = Cli.run(env, "verify", "proofs", "--root=" + root);
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.err().lines()).as("still one line on stderr").hasSize(1);

        JsonNode alert = awaitPost(n -> n.get("flow").asText().equals("verify-proofs"));
        assertThat(alert.get("severity").asText()).isEqualTo("critical");
        assertThat(alert.get("message").asText()).startsWith("verify-proofs failed:").contains("seq 7 missing");
        assertThat(Instant.parse(alert.get("time").asText())).isBetween(Instant.now().minus(Duration.ofMinutes(10)), Instant.now());
        assertThat(alertLines(root)).containsExactly(alert);
        assertThat(posted).as("one alert for one failure").isEmpty();
        String all = Files.readString(root.resolve("logs/alerts/factory-dr-" + LocalDate.now(ZoneOffset.UTC) + ".log"));
        assertThat(all).doesNotContain(Cli.ARCHIVE_KEY).doesNotContain(Cli.SIGNING_SECRET).doesNotContain(Cli.TOWER_SECRET);
    }
}
