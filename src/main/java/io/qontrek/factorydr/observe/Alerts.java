package io.qontrek.factorydr.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.common.LoggedUrl;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises alerts: appends one JSON line to logs/alerts/factory-dr-YYYY-MM-DD.log (so the alert-archive
 * flow archives it with the runtime's other alert logs) and, when a webhook is configured, POSTs the
 * same JSON to it with a short timeout. Never throws: a full disk or a dead webhook is logged and the
 * flow that raised the alert keeps its own outcome. Any secret value in a message is replaced by
 * [redacted] before it is written or sent.
 */
public final class Alerts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path alertsDir;
    private final URI webhook;
    private final Duration timeout;
    private final List<String> secrets;
    private HttpClient client;

    /**
     * @param webhook where to POST each alert, or null
     * @param secrets values never to write or send (Secrets.knownValues())
     */
    public Alerts(Path alertsDir, URI webhook, Duration timeout, List<byte[]> secrets) {
        this.alertsDir = alertsDir;
        this.webhook = webhook;
        this.timeout = timeout;
        this.secrets = secrets.stream().map(b -> new String(b, StandardCharsets.UTF_8)).filter(s -> !s.isEmpty()).toList();
    }

    /** Not a static field: validating the settings (webhook) must not start log4j in a command that logs nothing. */
    private static Logger log() {
        return LoggerFactory.getLogger(Alerts.class);
    }

    /** From factory.alerts.*: the runtime's alert log directory, the webhook if any, its timeout. */
    public static Alerts from(Settings settings, RuntimeLayout layout, Secrets secrets) {
        return new Alerts(layout.alertsDir(), webhook(settings),
                Duration.ofMillis(settings.getInt("factory.alerts.webhook-timeout-ms", 100, 60_000)), secrets.knownValues());
    }

    /** factory.alerts.webhook-url: empty (null), or an absolute http(s) URL. */
    public static URI webhook(Settings settings) {
        String url = settings.get("factory.alerts.webhook-url");
        if (url.isEmpty()) return null;
        try {
            URI u = URI.create(url);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw settings.invalidNotShown("factory.alerts.webhook-url", "empty, or an http(s)://host[:port]/path URL");
        }
    }

    /** The file an alert raised at that time is appended to. */
    public Path file(Alert a) {
        return alertsDir.resolve("factory-dr-" + LocalDate.ofInstant(a.time(), ZoneOffset.UTC) + ".log");
    }

    public void raise(Alert raw) {
        Alert a = new Alert(raw.time(), raw.flow(), raw.severity(), redact(raw.message() == null ? "" : raw.message()));
        byte[] line;
        try {
            line = JSON.writeValueAsBytes(a.toJson());
        } catch (Exception e) {
            log().error("cannot write alert of {} as JSON: {}", a.flow(), e.toString());
            return;
        }
        log().warn("ALERT {} {}: {}", a.severity(), a.flow(), a.message());
        Path file = file(a);
        try {
            Files.createDirectories(alertsDir);
            byte[] withNewline = new byte[line.length + 1];
            System.arraycopy(line, 0, withNewline, 0, line.length);
            withNewline[line.length] = '\n';
            // one write of one line in append mode: lines from the service and a CLI command do not interleave
            Files.write(file, withNewline, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (Exception e) {
            log().error("cannot append the alert of {} to {}: {}", a.flow(), file, e.toString());
        }
        if (webhook != null) post(a, line);
    }

    private void post(Alert a, byte[] json) {
        try {
            HttpRequest req = HttpRequest.newBuilder(webhook).timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
            HttpResponse<Void> res = client().send(req, HttpResponse.BodyHandlers.discarding());
            if (res.statusCode() / 100 != 2) {
                log().error("alert webhook {} answered HTTP {} to the alert of {}", where(), res.statusCode(), a.flow());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log().error("alert webhook {} interrupted for the alert of {}", where(), a.flow());
        } catch (Exception e) {
            log().error("alert webhook {} failed for the alert of {}: {}", where(), a.flow(), e.toString());
        }
    }

    /** Never the whole URL: a webhook's token may be in any part of it. */
    private String where() {
        return LoggedUrl.of(webhook);
    }

    private synchronized HttpClient client() {
        if (client == null) client = HttpClient.newBuilder().connectTimeout(timeout).build();
        return client;
    }

    String redact(String message) {
        String m = message;
        for (String s : secrets) m = m.replace(s, "[redacted]");
        return m;
    }
}
