package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code factory-dr serve} as operators run it, in a child JVM: remote JMX on a real RMI
 * connector, the schedules on real Quartz, start-up catch-up from the catalog, route reload.
 * A slow stand-in for the retention flow (route id {@code retention}, as the schedule expects)
 * runs on a one-second cron and logs its start and end, so overlaps would show in the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeSchedulesTest {
    private static final Pattern LOG_TIME = Pattern.compile("^(\\S+Z) .*slow-flow (start|end) (\\S+)");

    Path tmp;
    Path root;
    Path routes;
    Path log;
    int jmxPort;
    Process serve;
    JMXConnector jmx;
    MBeanServerConnection mbeans;

    @BeforeAll
    void serve(@TempDir Path classTmp) throws Exception {
        tmp = classTmp;
        root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(200).days(2).ledgerRows(100)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        routes = tmp.resolve("routes");
        Files.createDirectories(routes);
        try (Stream<Path> s = Files.list(Path.of("routes"))) {
            // the real retention flow is replaced by the slow stand-in below (same route id)
            for (Path p : s.filter(p -> !p.getFileName().toString().equals("retention.camel.yaml")).toList()) {
                Files.copy(p, routes.resolve(p.getFileName()));
            }
        }
        Files.writeString(routes.resolve("slow.camel.yaml"), """
                - route:
                    id: retention
                    from:
                      uri: direct:retention
                      steps:
                        - log: "slow-flow start ${exchangeId}"
                        - delay:
                            constant: 2500
                            asyncDelayed: false
                        - log: "slow-flow end ${exchangeId}"
                """);
        Files.writeString(routes.resolve("probe.camel.yaml"), probeRoute("0 0 0 1 1 ? 2099", "probe fired"));
        // the catalog says retention last ran long ago: serve must catch it up once at start-up
        new Catalog(root.resolve("archive/catalog.db")).recordRun("retention", "2020-01-01T00:00:00Z",
                "2020-01-01T00:00:01Z", "ok", null, null);

        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        log = tmp.resolve("factory-dr.log");
        try (ServerSocket s = new ServerSocket(0)) {
            jmxPort = s.getLocalPort();
        }
        env.put("FACTORY_ROOT", root.toString());
        env.put("FACTORY_ROUTES_DIR", routes.toString());
        env.put("FACTORY_JMX_PORT", String.valueOf(jmxPort));
        // remote JMX always needs a login; this operator may stop and start routes
        Path passwords = tmp.resolve("jmx.password");
        Files.writeString(passwords, "operator operpw-2\n");
        Files.setPosixFilePermissions(passwords, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(tmp.resolve("jmx.access"), "operator readwrite\n");
        env.put("FACTORY_JMX_PASSWORD_FILE", passwords.toString());
        env.put("FACTORY_JMX_ACCESS_FILE", tmp.resolve("jmx.access").toString());
        for (String flow : List.of("proof-daily-archive", "alert-archive", "backup-full", "backup-incremental",
                "verify-daily", "drill-quarterly")) {
            env.put("FACTORY_SCHEDULE_" + flow.toUpperCase().replace('-', '_') + "_ENABLED", "false");
        }
        env.put("FACTORY_SCHEDULE_RETENTION_CRON", "* * * * * ?");
        env.put("FACTORY_ROUTES_RELOAD", "true");
        serve = Cli.start(env, "serve");
        await("serve started", () -> logText().contains("Apache Camel 4.17.0 (factory-dr) started"));
        jmx = JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"),
                Map.of(JMXConnector.CREDENTIALS, new String[] {"operator", "operpw-2"}));
        mbeans = jmx.getMBeanServerConnection();
    }

    @AfterAll
    void stop() throws Exception {
        if (jmx != null) jmx.close();
        if (serve != null) {
            serve.destroy();
            if (!serve.waitFor(60, TimeUnit.SECONDS)) serve.destroyForcibly();
        }
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (Exception e) {
            return "";
        }
    }

    private void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (!serve.isAlive()) throw new AssertionError(what + ": serve exited " + serve.exitValue() + "\n" + logText());
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + logText());
            Thread.sleep(100);
        }
    }

    private ObjectName route(String id) throws Exception {
        return new ObjectName("org.apache.camel:context=factory-dr,type=routes,name=\"" + id + "\"");
    }

    private String state(String id) throws Exception {
        return (String) mbeans.getAttribute(route(id), "State");
    }

    @Test
    void routesAreStoppedStartedSuspendedAndResumedOverRemoteJmx() throws Exception {
        assertThat(state("backup-incremental")).isEqualTo("Started");
        mbeans.invoke(route("backup-incremental"), "stop", null, null);
        assertThat(state("backup-incremental")).isEqualTo("Stopped");
        mbeans.invoke(route("backup-incremental"), "start", null, null);
        assertThat(state("backup-incremental")).isEqualTo("Started");
        mbeans.invoke(route("backup-incremental"), "suspend", null, null);
        assertThat(state("backup-incremental")).isEqualTo("Suspended");
        mbeans.invoke(route("backup-incremental"), "resume", null, null);
        assertThat(state("backup-incremental")).isEqualTo("Started");
        // the CLI never starts schedules; serve starts only the enabled ones
        assertThat(state("schedule-retention")).isEqualTo("Started");
        assertThat(state("schedule-backup-full")).isEqualTo("Stopped");
    }

    @Test
    void aStoppedFlowMakesItsScheduleFailLoudly() throws Exception {
        await("a first scheduled run", () -> logText().contains("retention: schedule run done"));
        // the one-second schedule keeps the flow busy: stop it with a short graceful timeout
        mbeans.invoke(route("retention"), "stop", new Object[] {2L}, new String[] {"long"});
        try {
            await("the schedule failing", () -> logText().contains(
                    "retention: schedule not run: route retention is not started"));
        } finally {
            mbeans.invoke(route("retention"), "start", null, null);
        }
        assertThat(state("retention")).isEqualTo("Started");
    }

    @Test
    void runsOfOneFlowNeverOverlapAndAMissedRunIsCaughtUpOnce() throws Exception {
        await("four runs of the slow flow", () -> runs().size() >= 4);
        String text = logText();
        assertThat(text).containsOnlyOnce("retention: catch-up: the run due at");
        // the one-second schedule fired while the 2.5 s catch-up run went on: refused by the guard, logged
        assertThat(text).contains("retention is already running");
        List<Instant[]> runs = runs();
        for (int i = 1; i < runs.size(); i++) {
            assertThat(runs.get(i)[0]).as("run %d starts after run %d ended", i, i - 1).isAfterOrEqualTo(runs.get(i - 1)[1]);
        }
    }

    /** A schedule route as an operator would write one, with its cron literally in the file. */
    private static String probeRoute(String cron, String message) {
        return """
                - route:
                    id: schedule-probe
                    from:
                      uri: quartz:factory-dr/probe
                      parameters:
                        cron: "%s"
                        stateful: true
                      steps:
                        - log: "%s"
                """.formatted(cron, message);
    }

    @Test
    void anEditedCronTakesEffectWithoutARestartAndABrokenEditKeepsTheRunningRoute() throws Exception {
        assertThat(logText()).doesNotContain("probe fired");
        // the operator changes the cron from "never" to every second
        Files.writeString(routes.resolve("probe.camel.yaml"), probeRoute("* * * * * ?", "probe fired"));
        await("the new schedule firing", () -> logText().contains("probe fired"));

        // a broken edit: refused with a clear log line, and the running schedule keeps firing
        Files.writeString(routes.resolve("probe.camel.yaml"), probeRoute("* * * * * ?", "probe fired") + "        - noSuchStep: {}\n");
        await("the broken edit refused", () -> logText().contains("route file " + routes.resolve("probe.camel.yaml") + ": edit refused"));
        long firedBefore = logText().lines().filter(l -> l.contains("probe fired")).count();
        await("the old route still firing", () -> logText().lines().filter(l -> l.contains("probe fired")).count() >= firedBefore + 2);
        assertThat(state("schedule-probe")).isEqualTo("Started");
    }

    /** [start, end] of each finished run of the slow flow, in log order. */
    private List<Instant[]> runs() {
        Map<String, Instant> starts = new HashMap<>();
        List<Instant[]> out = new ArrayList<>();
        for (String line : logText().lines().toList()) {
            Matcher m = LOG_TIME.matcher(line);
            if (!m.find()) continue;
            Instant t = Instant.parse(m.group(1));
            if (m.group(2).equals("start")) starts.put(m.group(3), t);
            else if (starts.containsKey(m.group(3))) out.add(new Instant[] {starts.get(m.group(3)), t});
        }
        out.sort((a, b) -> a[0].compareTo(b[0]));
        return out;
    }
}
