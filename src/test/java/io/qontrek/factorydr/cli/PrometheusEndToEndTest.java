package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.offsite.S3TestServer;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real promtool (Debian's prometheus package; .ci/run installs it) judges what factory-dr ships
 * for Prometheus: the /metrics text of a real `factory-dr serve` on a real runtime, before and after
 * command-line runs and across a restart; docs/prometheus/alerts.yml (check rules, and its unit tests
 * in alerts.test.yml showing each alert fire and not fire); and docs/grafana/factory-dr.json, whose
 * every expression must parse and use only metrics that /metrics exposes. Each check is also shown
 * to fail on a deliberately broken input, so a promtool that accepts anything would be caught. A
 * real Prometheus server, finally, scrapes serve and evaluates the rules.
 */
class PrometheusEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern METRIC = Pattern.compile("\\bfactory_dr_[a-z0-9_]+\\b");
    static final Path ALERTS = Path.of("docs/prometheus/alerts.yml");
    static final Path ALERT_TESTS = Path.of("docs/prometheus/alerts.test.yml");
    static final Path DASHBOARD = Path.of("docs/grafana/factory-dr.json");

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ServeProcess serve;
    S3TestServer s3;

    @AfterEach
    void stop() throws Exception {
        stopServe();
        if (s3 != null) s3.close();
    }

    private void stopServe() throws Exception {
        if (serve == null) return;
        serve.close();
        serve = null;
    }

    /** promtool with these arguments and stdin; fails the test, naming the package, when it is not installed. */
    static Cli.Result promtool(Path dir, String stdin, String... args) throws Exception {
        assertThat(Cli.sh(dir.toAbsolutePath(), Map.of(), "command -v promtool").exit())
                .as("promtool is not installed: apt-get install prometheus (.ci/run does)").isZero();
        List<String> cmd = new ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toAbsolutePath().toFile()).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return Cli.finish(p, 120);
    }

    static Cli.Result checkMetrics(String exposition) throws Exception {
        return promtool(Path.of(""), exposition, "check", "metrics");
    }

    private String metrics(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(serve.isAlive()).as("serve exited").isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
                    return r.body();
                }
            } catch (ConnectException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("serve did not answer /metrics on port " + port + " within 90 s");
    }

    /** The metric families of an exposition, by their # TYPE lines. */
    static Set<String> families(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) if (line.startsWith("# TYPE ")) names.add(line.split(" ")[2]);
        return names;
    }

    static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) names.add(m.group());
        return names;
    }

    static List<String> dashboardExprs() throws Exception {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).get("panels")) {
            for (JsonNode t : panel.path("targets")) exprs.add(t.get("expr").asText());
        }
        return exprs;
    }

    @Test
    void promtoolAcceptsTheMetricsOfARealServe_andTheyCountCliRunsAcrossARestart(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(60).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        s3 = S3TestServer.start(tmp.resolve("s3"));
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        env.putAll(s3.env());
        int port = ServeProcess.freePort();
        env.put("FACTORY_HTTP_PORT", String.valueOf(port));

        // an empty catalog: families without samples
        serve = ServeProcess.start(env, "--root=" + root);
        String empty = metrics(port);
        Cli.Result check = checkMetrics(empty);
        assertThat(check.exit()).as(check + "\n" + empty).isZero();
        assertThat(check.out() + check.err()).isBlank();

        // command-line runs (a backup copied offsite, a verification that passes, one that fails) reach the service's /metrics
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        Cli.Result verify = Cli.run(env, "verify", "proofs", "--root=" + root);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        Path proof = root.resolve("proof/proof-000000000007.json");
        byte[] kept = Files.readAllBytes(proof);
        Files.delete(proof);
        Cli.Result broken = Cli.run(env, "verify", "proofs", "--root=" + root);
        assertThat(broken.exit()).as(broken.toString()).isEqualTo(1);
        Files.write(proof, kept);

        String full = metrics(port);
        check = checkMetrics(full);
        assertThat(check.exit()).as(check + "\n" + full).isZero();
        assertThat(check.out() + check.err()).isBlank();
        List<String> counted = List.of("factory_dr_flow_runs_total{flow=\"backup-full\",outcome=\"ok\"} 1\n",
                "factory_dr_flow_runs_total{flow=\"verify-proofs\",outcome=\"ok\"} 1\n",
                "factory_dr_flow_runs_total{flow=\"verify-proofs\",outcome=\"failed\"} 1\n",
                "factory_dr_flow_last_run_failed{flow=\"verify-proofs\"} 1\n",
                "factory_dr_offsite_lag_seconds 0\n", "factory_dr_archives_not_offsite 0\n");
        assertThat(full).contains(counted);

        // what the rules and the dashboard use, /metrics has
        Set<String> families = families(full);
        Set<String> used = new TreeSet<>(metricNames(Files.readString(ALERTS)));
        used.addAll(metricNames(String.join("\n", dashboardExprs())));
        assertThat(used).as("metrics named in alerts.yml and factory-dr.json").isNotEmpty();
        assertThat(families).as("families in /metrics").containsAll(used);

        // the catalog, not the process, holds the numbers: a restarted service shows the same runs
        stopServe();
        serve = ServeProcess.start(env, "--root=" + root);
        String restarted = metrics(port);
        assertThat(restarted).contains(counted);
        assertThat(checkMetrics(restarted).exit()).isZero();

        // and the check can fail: a counter without _total, a value that is not a number
        String unsuffixed = full.replace("factory_dr_flow_runs_total", "factory_dr_flow_runs");
        Cli.Result lint = checkMetrics(unsuffixed);
        assertThat(lint.exit()).as(lint.toString()).isNotZero();
        assertThat(lint.out() + lint.err()).contains("factory_dr_flow_runs counter metrics should have \"_total\" suffix");
        String garbled = full.replace("factory_dr_archives_not_offsite 0\n", "factory_dr_archives_not_offsite none\n");
        Cli.Result parse = checkMetrics(garbled);
        assertThat(parse.exit()).as(parse.toString()).isNotZero();
        assertThat(parse.out() + parse.err()).contains("expected float as value");
    }

    /**
     * A real Prometheus server (the same Debian package) scrapes a real serve every second and
     * evaluates alerts.yml: the target is up, the catalog's numbers arrive, and the alerts for a failed
     * verification and for panic mode fire on what the runtime really did.
     */
    @Test
    void aRealPrometheusScrapesServe_andTheAlertsFireOnWhatTheRuntimeDid(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(60).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        int port = ServeProcess.freePort();
        env.put("FACTORY_HTTP_PORT", String.valueOf(port));
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        Files.delete(root.resolve("proof/proof-000000000007.json"));
        Cli.Result broken = Cli.run(env, "verify", "proofs", "--root=" + root);
        assertThat(broken.exit()).as(broken.toString()).isEqualTo(1);

        serve = ServeProcess.start(env, "--root=" + root);
        metrics(port);

        Path conf = Files.createDirectories(tmp.resolve("prometheus"));
        Files.copy(ALERTS, conf.resolve("alerts.yml"));
        Files.writeString(conf.resolve("prometheus.yml"), """
                global: { scrape_interval: 1s, evaluation_interval: 1s }
                rule_files: [ alerts.yml ]
                scrape_configs:
                  - job_name: factory-dr
                    static_configs: [ { targets: [ "127.0.0.1:%d" ] } ]
                """.formatted(port));
        int promPort = ServeProcess.freePort();
        StringBuffer promLog = new StringBuffer();
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + conf.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + conf.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .directory(conf.toFile()).redirectErrorStream(true).start();
        ServeProcess.drain(prometheus.getInputStream(), promLog);
        try {
            JsonNode up = awaitQuery(prometheus, promLog, promPort, "up{job=\"factory-dr\"} == 1");
            assertThat(up.get(0).get("metric").get("instance").asText()).isEqualTo("127.0.0.1:" + port);
            JsonNode failed = awaitQuery(prometheus, promLog, promPort,
                    "factory_dr_flow_runs_total{flow=\"verify-proofs\",outcome=\"failed\"}");
            assertThat(failed.get(0).get("value").get(1).asText()).isEqualTo("1");
            JsonNode alert = awaitQuery(prometheus, promLog, promPort,
                    "ALERTS{alertname=\"FactoryDrVerificationFailed\",alertstate=\"firing\"}");
            assertThat(alert).hasSize(1);
            assertThat(alert.get(0).get("metric").get("flow").asText()).isEqualTo("verify-proofs");
            assertThat(query(promPort, "ALERTS{alertname=\"FactoryDrPanic\"}")).as("no panic yet").isEmpty();

            Files.writeString(root.resolve("data/ATLAS_PANIC"), "drill: ledger deleted\n");
            JsonNode panic = awaitQuery(prometheus, promLog, promPort, "ALERTS{alertname=\"FactoryDrPanic\",alertstate=\"firing\"}");
            assertThat(panic.get(0).get("metric").get("severity").asText()).isEqualTo("critical");
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) prometheus.destroyForcibly().waitFor();
        }
    }

    /** The result vector of an instant query to the Prometheus server on that port. */
    private JsonNode query(int promPort, String promql) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/api/v1/query?query="
                + java.net.URLEncoder.encode(promql, java.nio.charset.StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503) throw new NotReady(); // Prometheus answers 503 until its storage is open
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("data").get("result");
    }

    private static final class NotReady extends Exception {}

    /** Waits up to 90 s for an instant query to return a non-empty vector. */
    private JsonNode awaitQuery(Process prometheus, StringBuffer log, int promPort, String promql) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(prometheus.isAlive()).as("prometheus exited:\n" + log).isTrue();
            try {
                JsonNode result = query(promPort, promql);
                if (!result.isEmpty()) return result;
            } catch (ConnectException | NotReady notYet) {
                // not listening yet, or still opening its storage
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no result for " + promql + " within 90 s:\n" + log);
    }

    @Test
    void theAlertRulesPassPromtool_andTheirUnitTestsShowEachAlertFireAndNotFire(@TempDir Path tmp) throws Exception {
        Cli.Result check = promtool(Path.of(""), "", "check", "rules", ALERTS.toString());
        assertThat(check.exit()).as(check.toString()).isZero();
        assertThat(check.out()).contains("SUCCESS: 9 rules found");
        Cli.Result test = promtool(Path.of(""), "", "test", "rules", ALERT_TESTS.toString());
        assertThat(test.exit()).as(test.toString()).isZero();
        assertThat(test.out()).contains("SUCCESS");

        // every alert the rules define has a unit test
        String rules = Files.readString(ALERTS);
        String tests = Files.readString(ALERT_TESTS);
        Matcher alert = Pattern.compile("(?m)^\\s*- alert: (\\S+)$").matcher(rules);
        List<String> untested = new ArrayList<>();
        int alerts = 0;
        while (alert.find()) {
            alerts++;
            if (!tests.contains("alertname: " + alert.group(1) + "\n")) untested.add(alert.group(1));
        }
        assertThat(alerts).isEqualTo(9);
        assertThat(untested).as("alerts without a unit test").isEmpty();

        // the unit tests fail on rules that would not fire in time: the incremental threshold doubled
        Files.writeString(tmp.resolve("alerts.yml"), rules.replace(
                "factory_dr_flow_last_success_timestamp_seconds{flow=\"backup-incremental\"} > 3600",
                "factory_dr_flow_last_success_timestamp_seconds{flow=\"backup-incremental\"} > 7200"));
        // the week-long group (10,600 evaluations, 5 s of promtool) tests another alert: left out here
        String weekLong = "  - name: a full backup older than 7 d 6 h\n";
        assertThat(tests).contains(weekLong);
        int from = tests.indexOf(weekLong);
        Files.writeString(tmp.resolve("alerts.test.yml"), tests.substring(0, from) + tests.substring(tests.indexOf("  - name: ", from + 1)));
        Cli.Result loosened = promtool(tmp, "", "test", "rules", "alerts.test.yml");
        assertThat(loosened.exit()).as(loosened.toString()).isNotZero();
        assertThat(loosened.out() + loosened.err()).contains("FAILED").contains("FactoryDrIncrementalBackupStale");

        // and check rules refuses a rule that does not parse
        Files.writeString(tmp.resolve("broken.yml"), rules.replace("factory_dr_offsite_lag_seconds > 3600", "factory_dr_offsite_lag_seconds >"));
        Cli.Result refused = promtool(tmp, "", "check", "rules", "broken.yml");
        assertThat(refused.exit()).as(refused.toString()).isNotZero();
    }

    @Test
    void theDashboardIsOnTheGrid_andEveryQueryIsValidPromql(@TempDir Path tmp) throws Exception {
        // every panel on Grafana's 24-column grid, with its own id, on the dashboard's data source variable
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            JsonNode grid = panel.get("gridPos");
            assertThat(grid.get("x").asInt() + grid.get("w").asInt()).as(panel.get("title").asText()).isLessThanOrEqualTo(24);
            assertThat(ids.add(panel.get("id").asInt())).as("panel id " + panel.get("id")).isTrue();
            assertThat(panel.get("datasource").get("uid").asText()).isEqualTo("${datasource}");
        }
        assertThat(dashboard.get("templating").get("list").get(0).get("name").asText()).isEqualTo("datasource");

        // promtool checks PromQL inside rule files: each panel query becomes a recording rule
        List<String> exprs = dashboardExprs();
        assertThat(exprs).hasSizeGreaterThan(10);
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            assertThat(metricNames(exprs.get(i))).as("panel query without a factory-dr metric: " + exprs.get(i)).isNotEmpty();
            rules.append("      - record: dashboard:query_").append(i).append("\n        expr: ").append(JSON.writeValueAsString(exprs.get(i)))
                    .append('\n');
        }
        Files.writeString(tmp.resolve("dashboard-queries.yml"), rules);
        Cli.Result check = promtool(tmp, "", "check", "rules", "dashboard-queries.yml");
        assertThat(check.exit()).as(check + "\n" + rules).isZero();
        assertThat(check.out()).contains("SUCCESS: " + exprs.size() + " rules found");

        Files.writeString(tmp.resolve("broken-query.yml"), rules.toString().replace("increase(factory_dr_flow_runs_total[1d])",
                "increase(factory_dr_flow_runs_total[1d)"));
        assertThat(promtool(tmp, "", "check", "rules", "broken-query.yml").exit()).isNotZero();
    }
}
