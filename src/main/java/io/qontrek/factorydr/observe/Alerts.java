package io.qontrek.factorydr.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Raises alerts: appends one JSON line to logs/alerts/factory-dr-YYYY-MM-DD.log (so the alert-archive
 * flow archives it with the runtime's other alert logs) and, when a webhook is configured, POSTs the
 * same JSON to it ({@link Webhook}). Never throws: a full disk or a dead webhook is logged and the
 * flow that raised the alert keeps its own outcome. Any secret value in a message is replaced by
 * [redacted] before it is written or sent.
 */
public final class Alerts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path alertsDir;
    private final URI webhook;
    private final Redaction secrets;
    private final Webhook poster;

    /**
     * @param webhook where to POST each alert, or null
     * @param secrets values never to write or send (Secrets.knownValues())
     */
    public Alerts(Path alertsDir, URI webhook, Duration timeout, List<byte[]> secrets) {
        this.alertsDir = alertsDir;
        this.webhook = webhook;
        this.secrets = new Redaction(secrets);
        this.poster = new Webhook("alert webhook", Level.ERROR, timeout);
    }

    /** Not a static field: validating the settings (webhook) must not start log4j in a command that logs nothing. */
    private static Logger log() {
        return LoggerFactory.getLogger(Alerts.class);
    }

    /** From factory.alerts.*: the runtime's alert log directory, the webhook if any, its timeout. */
    public static Alerts from(Settings settings, RuntimeLayout layout, Secrets secrets) {
        return new Alerts(layout.alertsDir(), webhook(settings), timeout(settings), secrets.knownValues());
    }

    /** factory.alerts.webhook-timeout-ms: 100 ms to a minute. */
    public static Duration timeout(Settings settings) {
        return Duration.ofMillis(settings.getInt("factory.alerts.webhook-timeout-ms", 100, 60_000));
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
        if (webhook != null) poster.post(webhook, "application/json", line, "the alert of " + a.flow());
    }

    String redact(String message) {
        return secrets.redact(message);
    }
}
