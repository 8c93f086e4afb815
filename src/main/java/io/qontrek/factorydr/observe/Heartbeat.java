package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.common.LoggedUrl;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Heartbeat pings per flow run, the healthchecks.io convention: {@code <url>/start} when the flow
 * starts, {@code <url>} when it succeeds, {@code <url>/fail} with the one-line reason as the body
 * when it fails, where {@code <url>} is factory.notify.heartbeat-url with {@code {flow}} replaced by
 * the flow's route id (a query string, such as {@code ?create=1}, stays at the end). A monitor that
 * misses a success then pages on its own. Pings go through {@link Webhook}: a short timeout, never
 * throws, logged without the URL's path or query (a ping key is a path segment).
 */
public final class Heartbeat {
    public static final String URL = "factory.notify.heartbeat-url";
    public static final String TIMEOUT = "factory.notify.heartbeat-timeout-ms";
    /** healthchecks.io keeps the first 100 kB of a body; a reason is one line, far shorter. */
    private static final int MAX_REASON = 10_000;

    private final String template;
    private final Webhook poster;
    private final Redaction secrets;

    /**
     * @param template the URL with {@code {flow}} in it, or null for no pings
     * @param secrets values never to send (Secrets.knownValues())
     */
    public Heartbeat(String template, Duration timeout, List<byte[]> secrets) {
        this.template = template;
        this.poster = new Webhook("heartbeat ping", Level.WARN, timeout);
        this.secrets = new Redaction(secrets);
    }

    public static Heartbeat from(Settings settings, Secrets secrets) {
        return new Heartbeat(template(settings), timeout(settings), secrets.knownValues());
    }

    /** factory.notify.heartbeat-timeout-ms: 100 ms to a minute. */
    public static Duration timeout(Settings settings) {
        return Duration.ofMillis(settings.getInt(TIMEOUT, 100, 60_000));
    }

    /** factory.notify.heartbeat-url: empty (null), or an http(s) URL with {flow} in it. */
    public static String template(Settings settings) {
        String url = settings.get(URL, "");
        if (url.isEmpty()) return null;
        try {
            URI u = URI.create(url.replace("{flow}", "flow"));
            if (!url.contains("{flow}") || !("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return url;
        } catch (IllegalArgumentException e) {
            throw settings.invalidNotShown(URL, "empty, or an http(s) URL with {flow} in it, e.g. https://hc-ping.com/<ping-key>/{flow}");
        }
    }

    public boolean enabled() {
        return template != null;
    }

    public void started(String flow) {
        ping(flow, "/start", "");
    }

    public void succeeded(String flow) {
        ping(flow, "", "");
    }

    /** @param reason why the flow failed, on one line */
    public void failed(String flow, String reason) {
        String r = secrets.redact(reason == null ? "" : reason.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim());
        ping(flow, "/fail", r.length() > MAX_REASON ? r.substring(0, MAX_REASON) : r);
    }

    /** The URL a flow's ping goes to: the template with {flow} replaced, the signal before any query. */
    URI url(String flow, String signal) {
        String u = template.replace("{flow}", flow);
        int query = u.indexOf('?');
        return URI.create(query < 0 ? u + signal : u.substring(0, query) + signal + u.substring(query));
    }

    private void ping(String flow, String signal, String body) {
        if (template == null) return;
        URI url = url(flow, signal);
        String what = flow + "'s " + (signal.isEmpty() ? "success" : signal.substring(1)) + " ping";
        if (poster.post(url, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), what)) {
            LoggerFactory.getLogger(Heartbeat.class).debug("{} sent to {}", what, LoggedUrl.of(url));
        }
    }
}
