package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cron typed into a route file is read by Quartz alone at start-up, and Quartz takes hour 99 (it
 * then fires every hour). serve stops that schedule's route at once and says so; healthz is unhealthy
 * naming it, instead of the weekly full running hourly.
 */
class ServeInvalidCronTest {

    @Test
    void aScheduleRouteWithAnOutOfRangeCronIsStoppedAtStartUp(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(20).days(1).ledgerRows(50).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        try (Stream<Path> s = Files.list(Path.of("routes"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) Files.copy(p, routes.resolve(p.getFileName()));
        }
        Path schedules = routes.resolve("schedules.camel.yaml");
        String text = Files.readString(schedules);
        // the cron parameter of backup-full's templated route
        assertThat(text).contains("value: \"{{factory.schedule.backup-full.cron}}\"");
        Files.writeString(schedules, text.replace("value: \"{{factory.schedule.backup-full.cron}}\"", "value: \"0 0 99 ? * SUN\""));

        Map<String, String> env = ServeHttpAccessTest.quietService(tmp, root);
        env.put("FACTORY_SCHEDULE_BACKUP_FULL_ENABLED", "true");
        env.put("FACTORY_ROUTES_DIR", routes.toString());
        int port = ServeProcess.freePort();
        env.put("FACTORY_HTTP_PORT", String.valueOf(port));
        try (ServeProcess serve = ServeProcess.start(env)) {
            Path log = tmp.resolve("factory-dr.log");
            String said = "route schedule-backup-full: cron '0 0 99 ? * SUN' is invalid (hour value 99 is not between 0 and 23)";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(Files.exists(log) && Cli.read(log).contains(said))) {
                assertThat(serve.isAlive()).as("serve running").isTrue();
                assertThat(System.nanoTime()).as("the log to say: " + said).isLessThan(deadline);
                Thread.sleep(200);
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/mcp/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("schedule-backup-full (Stopped)");
        }
    }
}
