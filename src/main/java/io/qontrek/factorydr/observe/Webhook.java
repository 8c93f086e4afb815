package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.common.LoggedUrl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The one way factory-dr tells another service something over HTTP: a POST with a short connect and
 * request timeout that never throws. A refused, slow or failing receiver is logged with its URL as
 * {@link LoggedUrl} (scheme, host, port: a token in the path or query never reaches a log) and the
 * caller carries on; alerts and heartbeat pings both go through here.
 */
public final class Webhook {
    private final String name;
    private final Level level;
    private final Duration timeout;
    private HttpClient client;

    /**
     * @param name what the receiver is, in log lines ("alert webhook", "heartbeat ping")
     * @param level how a failed POST is logged: a lost alert is an error, a lost ping a warning
     */
    public Webhook(String name, Level level, Duration timeout) {
        this.name = name;
        this.level = level;
        this.timeout = timeout;
    }

    /** Not a static field: validating the settings must not start log4j in a command that logs nothing. */
    private static Logger log() {
        return LoggerFactory.getLogger(Webhook.class);
    }

    /**
     * POSTs {@code body} to {@code url}; false (and logged, {@code about} naming what was sent) when
     * the receiver cannot be reached in time or answers other than 2xx.
     */
    public boolean post(URI url, String contentType, byte[] body, String about) {
        String where = LoggedUrl.of(url);
        try {
            HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<Void> res = client().send(req, HttpResponse.BodyHandlers.discarding());
            if (res.statusCode() / 100 == 2) return true;
            log().atLevel(level).log("{} {} answered HTTP {} to {}", name, where, res.statusCode(), about);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log().atLevel(level).log("{} {} interrupted for {}", name, where, about);
        } catch (Exception e) {
            // the exception's text, not its URL: HttpClient names the host and port at most
            log().atLevel(level).log("{} {} failed for {}: {}", name, where, about, e.toString());
        }
        return false;
    }

    private synchronized HttpClient client() {
        if (client == null) client = HttpClient.newBuilder().connectTimeout(timeout).build();
        return client;
    }
}
