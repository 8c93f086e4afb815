package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Edits made to a running {@code factory-dr serve} (a child JVM, the service's real route files and
 * configuration file copied aside), judged as an operator would: healthz over HTTP, and every route
 * and every Quartz trigger over remote JMX. A broken edit of routes/schedules.camel.yaml must leave
 * every route running as it was (not restarted: the same start time) and every schedule scheduled
 * on its old cron, with healthz degraded naming the file and the error; putting the file right makes
 * healthz healthy; a good edit is applied to that file's routes alone. A changed property in the
 * configuration file is reported by healthz until a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeRouteEditsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A cron that never fires while the test runs: no flow runs under the edits. */
    static final String NEVER = "0 0 0 1 1 ? 2099";
    static final String NEVER_TRIGGER = "next 2099-01-01T00:00:00Z NORMAL";

    Path routes;
    Path schedules;
    String schedulesText;
    Path config;
    String configText;
    int httpPort;
    ServeProcess serve;
    JMXConnector jmx;
    MBeanServerConnection mbeans;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Each route's state and start time, and each trigger's cron and state, as serve started. */
    Map<String, String> routesAtStart;
    Map<String, String> triggersAtStart;

    @BeforeAll
    void serve(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(50)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        routes = Files.createDirectories(tmp.resolve("routes"));
        try (Stream<Path> s = Files.list(Path.of("routes"))) {
            for (Path p : s.toList()) Files.copy(p, routes.resolve(p.getFileName()));
        }
        schedules = routes.resolve("schedules.camel.yaml");
        schedulesText = Files.readString(schedules);
        config = tmp.resolve("application.properties");
        configText = Files.readString(Path.of("config/application.properties"))
                .replaceAll("(?m)^(factory\\.schedule\\.[a-z-]+\\.cron)=.*$", "$1=" + NEVER);
        Files.writeString(config, configText);

        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        httpPort = ServeProcess.freePort();
        int jmxPort = ServeProcess.freePort();
        env.put("FACTORY_ROOT", root.toString());
        env.put("FACTORY_ROUTES_DIR", routes.toString());
        env.put("FACTORY_CONFIG", config.toString());
        env.put("FACTORY_HTTP_PORT", String.valueOf(httpPort));
        env.put("FACTORY_JMX_PORT", String.valueOf(jmxPort));
        // Remote JMX always needs a login; Quartz's MBean answers trigger questions as operations, which need readwrite.
        Path passwords = tmp.resolve("jmx.password");
        Files.writeString(passwords, "operator operpw-3\n");
        Files.setPosixFilePermissions(passwords, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        env.put("FACTORY_JMX_PASSWORD_FILE", passwords.toString());
        Files.writeString(tmp.resolve("jmx.access"), "operator readwrite\n");
        env.put("FACTORY_JMX_ACCESS_FILE", tmp.resolve("jmx.access").toString());
        env.put("FACTORY_GOVERNANCE_OFFSITE_REQUIRED", "false");
        serve = ServeProcess.start(env);
        await("serve answering healthz", () -> {
            try {
                return healthz().has("checks");
            } catch (ConnectException notYet) {
                return false;
            }
        });
        jmx = JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"),
                Map.of(JMXConnector.CREDENTIALS, new String[] {"operator", "operpw-3"}));
        mbeans = jmx.getMBeanServerConnection();
        routesAtStart = routes();
        triggersAtStart = triggers();
    }

    @AfterAll
    void stop() throws Exception {
        if (jmx != null) jmx.close();
        if (serve != null) serve.close();
    }

    @Test
    @Order(1)
    void asStartedEveryScheduleIsScheduledAndHealthzIsHealthy() throws Exception {
        JsonNode h = healthz();
        assertThat(h.get("status").asText()).as(h.toPrettyString()).isEqualTo("healthy");
        assertThat(check(h, "route-edits").get("status").asText()).isEqualTo("healthy");
        assertThat(check(h, "config").get("status").asText()).isEqualTo("healthy");
        // every schedule on its cron (offsite-catch-up too, though its route does not start without S3)
        assertThat(triggersAtStart).containsOnlyKeys("proof-daily-archive", "alert-archive", "backup-full",
                "backup-incremental", "offsite-catch-up", "retention", "verify-daily", "drill-quarterly");
        assertThat(triggersAtStart.values()).allMatch(t -> t.equals(NEVER_TRIGGER));
        // every route that starts in serve is started (the S3 ones stay stopped without S3)
        assertThat(routesAtStart.values().stream().filter(s -> s.startsWith("Started"))).hasSizeGreaterThan(30);
        assertThat(routesAtStart).allSatisfy((id, s) -> assertThat(s).startsWith(
                id.contains("offsite") || id.endsWith("-s3") ? "Stopped" : "Started"));
    }

    /** An edit of schedules.camel.yaml that must be refused, and what the refusal must say. */
    record BrokenEdit(String name, String from, String to, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<BrokenEdit> brokenEdits() {
        return List.of(
                new BrokenEdit("a cron Quartz rejects", "value: \"{{factory.schedule.backup-incremental.cron}}\"",
                        "value: \"0 0 25 * * ?\"", "CronExpression '0 0 25 * * ?' is invalid"),
                new BrokenEdit("a cron Quartz would run hourly", "value: \"{{factory.schedule.backup-full.cron}}\"",
                        "value: \"0 0 99 ? * SUN\"", "hour value 99 is not between 0 and 23"),
                new BrokenEdit("a YAML syntax error", "        uri: \"quartz:factory-dr/{{flow}}\"\n",
                        "        uri: \"quartz:factory-dr/{{flow}}\"\n       parameters: [\n", "line"),
                new BrokenEdit("an unknown endpoint scheme", "        steps:\n          - setHeader:\n",
                        "        steps:\n          - to: \"nosuchscheme:{{flow}}\"\n          - setHeader:\n", "nosuchscheme"),
                new BrokenEdit("an unresolvable placeholder", "{{factory.schedule.verify-daily.cron}}",
                        "{{factory.schedule.verify-daily.crom}}", "factory.schedule.verify-daily.crom"),
                new BrokenEdit("an unknown bean", "ref: runScheduledFlow\n", "ref: runScheduledFlows\n", "runScheduledFlows"),
                new BrokenEdit("a template parameter left out", "      - { name: cron, value: \"{{factory.schedule.retention.cron}}\" }\n",
                        "", "mandatory parameters must be provided: cron"),
                new BrokenEdit("a route id another file defines", "routeId: schedule-retention\n", "routeId: retention\n",
                        "route id retention is defined in "),
                new BrokenEdit("no route left in the file", null, "# every schedule paused\n", "defines no route"),
                new BrokenEdit("the file deleted", null, null, "deleted"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenEdits")
    @Order(2)
    void aBrokenEditLeavesEveryRouteRunningAndHealthzDegradedUntilTheFileIsPutRight(BrokenEdit edit) throws Exception {
        if (edit.to() == null) {
            Files.delete(schedules);
        } else {
            String broken = edit.from() == null ? edit.to() : schedulesText.replace(edit.from(), edit.to());
            assertThat(broken).as("the edit changes the file").isNotEqualTo(schedulesText);
            Files.writeString(schedules, broken);
        }
        JsonNode refused = awaitHealthz("the edit refused", h -> check(h, "route-edits").get("detail").asText().contains(edit.error()));
        assertThat(refused.get("status").asText()).as(refused.toPrettyString()).isEqualTo("degraded");
        assertThat(check(refused, "route-edits").get("status").asText()).isEqualTo("degraded");
        assertThat(check(refused, "route-edits").get("detail").asText()).contains(schedules.toString() + ": edit refused");
        assertThat(check(refused, "routes").get("status").asText()).isEqualTo("healthy");
        assertThat(routes()).as("every route as it was, none restarted").isEqualTo(routesAtStart);
        assertThat(triggers()).as("every schedule on its old cron").isEqualTo(triggersAtStart);

        Files.writeString(schedules, schedulesText);
        JsonNode fixed = awaitHealthz("the file put right", h -> check(h, "route-edits").get("status").asText().equals("healthy"));
        assertThat(fixed.get("status").asText()).as(fixed.toPrettyString()).isEqualTo("healthy");
        assertThat(routes()).isEqualTo(routesAtStart);
        assertThat(triggers()).isEqualTo(triggersAtStart);
    }

    @Test
    @Order(3)
    void aGoodEditReplacesTheRoutesOfThatFileAlone() throws Exception {
        String cron = "0 30 1 1 1 ? 2098";
        Files.writeString(schedules, schedulesText.replace("value: \"{{factory.schedule.backup-incremental.cron}}\"",
                "value: \"" + cron + "\""));
        awaitTrue("the new cron scheduled", () -> "next 2098-01-01T01:30:00Z NORMAL".equals(triggers().get("backup-incremental")));
        // the file's routes are replaced one by one: the new trigger can show before the last of them is started
        awaitTrue("healthz healthy once every route of the file is back", () -> "healthy".equals(healthz().get("status").asText()));
        Map<String, String> after = routes();
        assertThat(after.keySet()).isEqualTo(routesAtStart.keySet());
        routesAtStart.forEach((id, was) -> {
            if (id.startsWith("schedule-")) assertThat(after.get(id)).startsWith(was.substring(0, was.indexOf(' ')));
            else assertThat(after.get(id)).as("route %s of another file is untouched", id).isEqualTo(was);
        });
        Map<String, String> triggers = triggers();
        triggersAtStart.forEach((flow, was) -> {
            if (!flow.equals("backup-incremental")) assertThat(triggers.get(flow)).isEqualTo(was);
        });

        // a new file adds its route; a route taken out of a file is removed
        Path extra = routes.resolve("extra.camel.yaml");
        Files.writeString(extra, "- route:\n    id: extra-a\n    from:\n      uri: direct:extra-a\n      steps:\n        - log: a\n"
                + "- route:\n    id: extra-b\n    from:\n      uri: direct:extra-b\n      steps:\n        - log: b\n");
        awaitTrue("the new file's routes", () -> routes().keySet().containsAll(Set.of("extra-a", "extra-b")));
        Files.writeString(extra, "- route:\n    id: extra-a\n    from:\n      uri: direct:extra-a\n      steps:\n        - log: a\n");
        awaitTrue("the route taken out removed", () -> !routes().containsKey("extra-b"));
        assertThat(routes()).containsKey("extra-a");
        assertThat(healthz().get("status").asText()).isEqualTo("healthy");

        Files.writeString(schedules, schedulesText);
        awaitTrue("the old cron back", () -> triggers().equals(triggersAtStart));
        // as above: the triggers can be back before the last route of the file is started again
        awaitTrue("healthz healthy once the file's routes are all back", () -> "healthy".equals(healthz().get("status").asText()));
    }

    @Test
    @Order(4)
    void aChangedPropertyIsReportedUntilARestart() throws Exception {
        assertThat(check(healthz(), "config").get("status").asText()).isEqualTo("healthy");
        String changed = configText.replace("factory.schedule.backup-full.cron=" + NEVER, "factory.schedule.backup-full.cron=0 0 4 ? * SUN");
        assertThat(changed).isNotEqualTo(configText);
        Files.writeString(config, changed);
        JsonNode h = healthz();
        assertThat(h.get("status").asText()).as(h.toPrettyString()).isEqualTo("degraded");
        assertThat(check(h, "config").get("status").asText()).isEqualTo("degraded");
        assertThat(check(h, "config").get("detail").asText())
                .contains("factory.schedule.backup-full.cron: running '" + NEVER + "', " + config + " now '0 0 4 ? * SUN'")
                .contains("a restart applies it");
        // the running schedule is not changed by the file: that needs a restart
        assertThat(triggers().get("backup-full")).isEqualTo(NEVER_TRIGGER);

        Files.writeString(config, changed.replace("factory.schedule.backup-full.cron=0 0 4 ? * SUN", "factory.schedule.backup-full.cron=0 0 25 ? * SUN"));
        assertThat(check(healthz(), "config").get("detail").asText()).contains("a restart would fail: invalid factory.schedule.backup-full.cron");

        Files.writeString(config, configText);
        h = healthz();
        assertThat(h.get("status").asText()).as(h.toPrettyString()).isEqualTo("healthy");
        assertThat(check(h, "config").get("status").asText()).isEqualTo("healthy");
    }

    /** Route id -> "State since StartTimestamp", over JMX. */
    private Map<String, String> routes() throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (ObjectName n : mbeans.queryNames(new ObjectName("org.apache.camel:context=factory-dr,type=routes,*"), null)) {
            try {
                String id = (String) mbeans.getAttribute(n, "RouteId");
                out.put(id, mbeans.getAttribute(n, "State") + " since " + mbeans.getAttribute(n, "StartTimestamp"));
            } catch (javax.management.InstanceNotFoundException removedMeanwhile) {
                // a route removed by an edit between the query and the read
            }
        }
        return out;
    }

    /** Flow -> "next <fire time> <state>" of each trigger of the schedules' group, from Quartz's own MBean. */
    private Map<String, String> triggers() throws Exception {
        Set<ObjectName> quartz = mbeans.queryNames(new ObjectName("quartz:type=QuartzScheduler,*"), null);
        assertThat(quartz).hasSize(1);
        ObjectName scheduler = quartz.iterator().next();
        Map<String, String> out = new TreeMap<>();
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) mbeans.invoke(scheduler, "getTriggerNames", new Object[] {"factory-dr"},
                new String[] {String.class.getName()});
        for (String name : names) {
            try {
                CompositeData t = (CompositeData) mbeans.invoke(scheduler, "getTrigger", new Object[] {name, "factory-dr"},
                        new String[] {String.class.getName(), String.class.getName()});
                String state = (String) mbeans.invoke(scheduler, "getTriggerState", new Object[] {name, "factory-dr"},
                        new String[] {String.class.getName(), String.class.getName()});
                // Quartz's MBean shows no cron: the next fire time stands for it
                out.put(name, "next " + ((java.util.Date) t.get("nextFireTime")).toInstant() + " " + state);
            } catch (javax.management.RuntimeMBeanException removedMeanwhile) {
                // a trigger an edit replaced between the listing and the read
            }
        }
        return out;
    }

    private JsonNode healthz() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/mcp/healthz"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 404 ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.get("checks")) if (c.get("name").asText().equals(name)) return c;
        throw new AssertionError("no check " + name + " in " + health.toPrettyString());
    }

    private JsonNode awaitHealthz(String what, Predicate<JsonNode> condition) throws Exception {
        JsonNode[] last = {null};
        await(what, () -> condition.test(last[0] = healthz()));
        return last[0];
    }

    private void awaitTrue(String what, Condition condition) throws Exception {
        await(what, condition);
    }

    interface Condition {
        boolean test() throws Exception;
    }

    private void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.test()) {
            if (!serve.isAlive()) throw new AssertionError(what + ": serve exited " + serve.exitValue() + "\n" + serve.output());
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + serve.output());
            Thread.sleep(100);
        }
    }
}
