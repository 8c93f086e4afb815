package io.qontrek.factorydr.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernanceReport;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alerts land as JSON lines in the alert log and on a webhook; a dead webhook never throws; secrets never leave. */
class AlertsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T = Instant.parse("2025-10-26T03:00:07Z");

    @Test
    void anAlertIsOneJsonLineInTheDaysAlertLogAndTheSameJsonOnTheWebhook(@TempDir Path tmp) throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            received.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        try {
            Alerts alerts = new Alerts(tmp.resolve("logs/alerts"), URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"),
                    Duration.ofSeconds(5), List.of("s3cr3t-value".getBytes(StandardCharsets.UTF_8)));
            alerts.raise(new Alert(T, "backup-full", Alert.CRITICAL, "backup-full failed: key s3cr3t-value refused"));
            alerts.raise(new Alert(T.plusSeconds(1), "verify-proofs", Alert.CRITICAL, "verify-proofs failed: seq 3 missing"));

            Path log = tmp.resolve("logs/alerts/factory-dr-2025-10-26.log");
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).hasSize(2);
            JsonNode first = JSON.readTree(lines.get(0));
            assertThat(first.get("time").asText()).isEqualTo("2025-10-26T03:00:07Z");
            assertThat(first.get("flow").asText()).isEqualTo("backup-full");
            assertThat(first.get("severity").asText()).isEqualTo("critical");
            assertThat(first.get("message").asText()).isEqualTo("backup-full failed: key [redacted] refused");
            assertThat(Files.readString(log)).doesNotContain("s3cr3t-value");

            String post = received.poll(10, TimeUnit.SECONDS);
            assertThat(post).isEqualTo("POST application/json " + lines.get(0));
            assertThat(received.poll(10, TimeUnit.SECONDS)).endsWith(lines.get(1));
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void aDeadWebhookOrAnUnwritableLogNeverThrows(@TempDir Path tmp) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path alertsDir = tmp.resolve("logs/alerts");
        Alerts alerts = new Alerts(alertsDir, URI.create("http://127.0.0.1:" + closedPort + "/hook"), Duration.ofSeconds(2), List.of());
        alerts.raise(new Alert(T, "backup-full", Alert.CRITICAL, "failed"));
        assertThat(Files.readAllLines(alertsDir.resolve("factory-dr-2025-10-26.log"))).hasSize(1);

        Files.writeString(tmp.resolve("not-a-dir"), "x");
        new Alerts(tmp.resolve("not-a-dir/alerts"), null, Duration.ofSeconds(1), List.of())
                .raise(new Alert(T, "backup-full", Alert.CRITICAL, "failed"));
    }

    @Test
    void theWatchAlertsWhenAGateStartsFailingAndWhenItRecovers_notOnEveryTick() {
        GovernanceWatch watch = new GovernanceWatch();
        GovernanceReport ok = GovernanceReport.of(List.of(new CheckResult(Gates.RPO, true, "fine"), new CheckResult(Gates.PANIC, true, "none")));
        GovernanceReport breach = GovernanceReport.of(List.of(new CheckResult(Gates.RPO, false, "newest 2 h ago"), new CheckResult(Gates.PANIC, true, "none")));
        assertThat(watch.changes(ok, T)).isEmpty();
        List<Alert> first = watch.changes(breach, T);
        assertThat(first).singleElement().satisfies(a -> {
            assertThat(a.severity()).isEqualTo(Alert.CRITICAL);
            assertThat(a.flow()).isEqualTo(GovernanceWatch.FLOW);
            assertThat(a.message()).startsWith("RPO breach: newest 2 h ago");
        });
        assertThat(watch.changes(breach, T)).isEmpty();
        assertThat(watch.changes(ok, T)).singleElement().satisfies(a -> assertThat(a.severity()).isEqualTo(Alert.INFO));
        GovernanceReport panic = GovernanceReport.of(List.of(new CheckResult(Gates.RPO, true, "fine"), new CheckResult(Gates.PANIC, false, "flag")));
        assertThat(new GovernanceWatch().changes(panic, T)).singleElement()
                .satisfies(a -> assertThat(a.severity()).isEqualTo(Alert.WARNING));
    }
}
