package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Camel's own CLI, the real {@code bin/camel} (camel-jbang-core, built into target/camel-cli/lib),
 * against a real {@code serve}: it lists the service's routes, stops one and starts it again, as
 * healthz confirms; the service's connector survives a route edit; with factory.camel-cli.enabled=false,
 * and in one-shot commands, there is no connector. Each JVM gets a home of its own (user.home), so
 * the CLI sees this test's service alone, never another Camel process of this user.
 */
class CamelCliTest {
    private static final Pattern ROUTE_ID = Pattern.compile("(?m)^- route:\\s*\\n\\s+id:\\s*(\\S+)\\s*$");
    /** A route made from a template (the schedules): its id is the templatedRoute's routeId. */
    private static final Pattern TEMPLATED_ROUTE_ID =
            Pattern.compile("(?m)^- templatedRoute:\\s*\\n\\s+routeTemplateRef:\\s*\\S+\\s*\\n\\s+routeId:\\s*(\\S+)\\s*$");
    private static final Path CAMEL = Path.of("bin/camel").toAbsolutePath();

    @TempDir Path tmp;
    ServeProcess serve;

    @AfterEach
    void stop() throws Exception {
        if (serve != null) serve.close();
    }

    @Test
    void camelGetRouteListsTheServicesRoutes_stopRouteStopsOne_startRouteStartsItAgain() throws Exception {
        Map<String, String> env = service();
        Path routes = Path.of(env.get("FACTORY_ROUTES_DIR"));
        Path home = Path.of(env.get("HOME"));
        startServe(env);
        long pid = serve.pid();
        Path status = home.resolve(".camel/" + pid + "-status.json");
        // the connector writes its status every second, the first times while the routes are still being added
        Set<String> ids = new TreeSet<>(routeIds(routes));
        Map<String, String> listed = routesOnceTheStatusShows(env, pid, status, r -> r.keySet().equals(ids), "camel get route to list " + ids);
        assertThat(status).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(".camel")))).isEqualTo("rwx------");
        assertThat(listed).containsEntry("backup-incremental", "Started").containsEntry("backup-full", "Started");

        Cli.Result stop = camel(env, "cmd stop-route " + pid + " --id=backup-incremental");
        assertThat(stop.exit()).as(stop.toString()).isZero();
        until(() -> routesCheck(env), c -> c.path("detail").asText().equals("not started: backup-incremental (Stopped)"),
                "healthz to see backup-incremental stopped");
        // the connector's status file catches up within its interval
        assertThat(routesOnceTheStatusShows(env, pid, status, r -> "Stopped".equals(r.get("backup-incremental")), "camel get route to show it stopped"))
                .containsEntry("backup-full", "Started");

        Cli.Result start = camel(env, "cmd start-route " + pid + " --id=backup-incremental");
        assertThat(start.exit()).as(start.toString()).isZero();
        until(() -> routesCheck(env), c -> c.path("status").asText().equals("healthy"), "healthz to see every route started");
        assertThat(routesOnceTheStatusShows(env, pid, status, r -> "Started".equals(r.get("backup-incremental")), "camel get route to show it started"))
                .containsEntry("backup-incremental", "Started");

        // a route edit is checked in a throwaway Camel context in the same JVM: it must not get a connector of
        // its own, whose files (keyed by pid) it would delete when it stops, which the service's reads as "stop"
        Files.writeString(routes.resolve("extra.camel.yaml"), "- route:\n    id: extra-a\n    from:\n      uri: direct:extra-a\n"
                + "      steps:\n        - log: a\n");
        until(() -> Cli.read(tmp.resolve("factory-dr.log")), log -> log.contains("edit taken"), "the route edit to be taken");
        Map<String, String> afterEdit = routesOnceTheStatusShows(env, pid, status, r -> r.containsKey("extra-a"), "camel get route to list extra-a");
        assertThat(afterEdit).containsEntry("backup-incremental", "Started");
        assertThat(serve.isAlive()).isTrue();
        assertThat(status).exists();

        String statusText = Files.readString(status, StandardCharsets.UTF_8);
        assertThat(statusText).contains("backup-incremental")
                .doesNotContain(Cli.ARCHIVE_KEY, Cli.SIGNING_SECRET, Cli.TOWER_SECRET);
    }

    @Test
    void switchedOffOrInAOneShotCommandThereIsNoConnector() throws Exception {
        Map<String, String> env = service();
        Path camelDir = Path.of(env.get("HOME"), ".camel");
        // a one-shot command runs its flow in a Camel context of its own, without a connector (which would make ~/.camel)
        Cli.Result backup = Cli.run(env, "backup", "full");
        assertThat(backup.exit()).as(backup.toString()).isZero();
        assertThat(camelDir).doesNotExist();

        env.put("FACTORY_CAMEL_CLI_INTERVAL_MS", "100");
        Cli.Result tooOften = Cli.run(env, "serve");
        assertThat(tooOften.exit()).as(tooOften.toString()).isEqualTo(2);
        assertThat(tooOften.err().lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS"))).as(tooOften.toString())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING).contains("factory.camel-cli.interval-ms", "100");
        assertThat(camelDir).doesNotExist();

        env.remove("FACTORY_CAMEL_CLI_INTERVAL_MS");
        env.remove("FACTORY_CAMEL_CLI_ENABLED"); // off unless asked for
        startServe(env);
        assertThat(camelDir).doesNotExist();
        Cli.Result get = camel(env, "get route");
        assertThat(get.exit()).as(get.toString()).isZero();
        assertThat(get.out()).doesNotContain("backup-incremental");
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).doesNotContain("Camel JBang CLI enabled");
    }

    @Test
    void withoutItsClasspathBinCamelIsOneLineAndExitTwoAndBuildsNothing() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("unbuilt/bin")).getParent();
        Files.copy(CAMEL, home.resolve("bin/camel"), StandardCopyOption.COPY_ATTRIBUTES);
        Path fakeBin = Files.createDirectories(tmp.resolve("fake-bin"));
        Files.writeString(fakeBin.resolve("mvn"), "#!/bin/sh\ntouch '" + tmp.resolve("mvn-ran") + "'\nexit 1\n");
        Files.setPosixFilePermissions(fakeBin.resolve("mvn"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Result r = Cli.sh(tmp, Map.of("PATH", fakeBin + ":" + System.getenv("PATH")), "'" + home.resolve("bin/camel") + "' get route");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("camel: no Camel CLI in " + home.resolve("target/camel-cli/lib") + ": build it first with: cd "
                + home + " && mvn -B -q -DskipTests package\n");
        assertThat(tmp.resolve("mvn-ran")).doesNotExist();
    }

    @Test
    void theCliIsBuiltForTheServicesCamel() throws Exception {
        Pattern version = Pattern.compile("<camel.version>([^<]+)</camel.version>");
        Matcher service = version.matcher(Files.readString(Path.of("pom.xml")));
        Matcher cli = version.matcher(Files.readString(Path.of("camel-cli/pom.xml")));
        assertThat(service.find()).isTrue();
        assertThat(cli.find()).isTrue();
        assertThat(cli.group(1)).isEqualTo(service.group(1));
        assertThat(Path.of("target/camel-cli/lib/camel-jbang-core-" + service.group(1) + ".jar")).exists();
    }

    // ---------------------------------------------------------------------------------------------

    /** A quiet service (no schedule fires) on a small runtime, with its own routes directory and home. */
    private Map<String, String> service() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(20).days(1).ledgerRows(50).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = ServeHttpAccessTest.quietService(tmp, root);
        env.put("FACTORY_HTTP_PORT", String.valueOf(ServeProcess.freePort()));
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        try (Stream<Path> s = Files.list(Path.of("routes"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) Files.copy(p, routes.resolve(p.getFileName()));
        }
        env.put("FACTORY_ROUTES_DIR", routes.toString());
        Path home = Files.createDirectories(tmp.resolve("home"));
        env.put("HOME", home.toString());
        env.put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
        env.put("FACTORY_CAMEL_CLI_ENABLED", "true");
        return env;
    }

    private void startServe(Map<String, String> env) throws Exception {
        serve = ServeProcess.start(env);
        Path log = tmp.resolve("factory-dr.log");
        until(() -> {
            if (!serve.isAlive()) throw new AssertionError("serve exited " + serve.exitValue() + "\n" + Cli.read(log));
            return Cli.read(log);
        }, l -> l.contains("Apache Camel 4.17.0 (factory-dr) started"), "serve to start");
    }

    private Cli.Result camel(Map<String, String> env, String args) throws Exception {
        return Cli.sh(tmp, env, "'" + CAMEL + "' " + args);
    }

    /** Route id -> status of the rows of {@code camel get route} for this pid (--description: ids in full). */
    private Map<String, String> routes(Map<String, String> env, long pid) throws Exception {
        Cli.Result r = camel(env, "get route --description " + pid);
        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, String> routes = new TreeMap<>();
        for (String line : r.out().lines().toList()) {
            String[] cols = line.strip().split("\\s+");
            if (cols.length < 6 || !cols[0].equals(String.valueOf(pid))) continue;
            assertThat(cols[1]).as(line).isEqualTo("factory-dr");
            String state = Stream.of(cols).skip(3).filter(c -> c.matches("Started|Stopped|Suspended|Starting|Stopping")).findFirst()
                    .orElseThrow(() -> new AssertionError("no status in " + line));
            routes.put(cols[2], state);
        }
        return routes;
    }

    /**
     * {@code camel get route}'s view, asked once the connector's status file (which that command reads)
     * shows the condition: each call is a JVM of its own, about 1.5 CPU-s, so polling with it cost more
     * than the rest of this test. The CLI's own answer is still what is asserted.
     */
    private Map<String, String> routesOnceTheStatusShows(Map<String, String> env, long pid, Path status,
            Predicate<Map<String, String>> condition, String what) throws Exception {
        until(() -> statusFileRoutes(status), condition, what + " (in " + status + ")");
        return until(() -> routes(env, pid), condition, what);
    }

    /** Route id -> state of the status file's "routes", as the CLI reads them; empty while it is missing or half written. */
    private static Map<String, String> statusFileRoutes(Path status) {
        Map<String, String> routes = new TreeMap<>();
        try {
            for (JsonNode r : new ObjectMapper().readTree(Files.readString(status, StandardCharsets.UTF_8)).path("routes")) {
                routes.put(r.path("routeId").asText(), r.path("state").asText());
            }
        } catch (IOException e) {
            routes.clear();
        }
        return routes;
    }

    /** The ids of the routes the files in dir define. */
    private static List<String> routeIds(Path dir) throws IOException {
        List<String> ids = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                String text = Files.readString(p);
                int before = ids.size();
                for (Pattern id : List.of(ROUTE_ID, TEMPLATED_ROUTE_ID)) {
                    Matcher m = id.matcher(text);
                    while (m.find()) ids.add(m.group(1));
                }
                assertThat(ids.size() - before).as("routes with an id in " + p).isEqualTo(text.split("(?m)^- (route|templatedRoute):", -1).length - 1);
            }
        }
        assertThat(ids).isNotEmpty();
        return ids;
    }

    /** healthz's "routes" check. */
    private static JsonNode routesCheck(Map<String, String> env) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + env.get("FACTORY_HTTP_PORT") + "/api/mcp/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode check : new ObjectMapper().readTree(r.body()).path("checks")) {
            if (check.path("name").asText().equals("routes")) return check;
        }
        throw new AssertionError("no routes check in healthz: " + r.body());
    }

    /** Polls until the value satisfies the condition; fails after 60 s with the last value. */
    private static <T> T until(Callable<T> value, Predicate<T> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        T last = value.call();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "; last: " + last);
            Thread.sleep(200);
            last = value.call();
        }
        return last;
    }
}
