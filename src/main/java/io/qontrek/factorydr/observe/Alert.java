package io.qontrek.factorydr.observe;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One alert: when, which flow (route id), how bad (critical, warning, info), and what happened.
 * The JSON line written to logs/alerts/ and POSTed to the webhook is {@link #toJson()}.
 */
public record Alert(Instant time, String flow, String severity, String message) {
    public static final String CRITICAL = "critical";
    public static final String WARNING = "warning";
    public static final String INFO = "info";

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", time.toString());
        m.put("flow", flow);
        m.put("severity", severity);
        m.put("message", message);
        return m;
    }
}
