package io.qontrek.factorydr.observe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The worst of the checks; HTTP 503 only when unhealthy, so a degraded service stays in rotation. */
public record HealthReport(String status, List<Check> checks) {
    public static HealthReport of(List<Check> checks) {
        String worst = Check.HEALTHY;
        for (Check c : checks) if (Check.rank(c.status()) > Check.rank(worst)) worst = c.status();
        return new HealthReport(worst, List.copyOf(checks));
    }

    public int httpStatus() {
        return Check.UNHEALTHY.equals(status) ? 503 : 200;
    }

    /** {"status": ..., "checks": [{"name", "status", "detail"}]}, the shape of GET /api/mcp/healthz. */
    public Map<String, Object> toJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Check c : checks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("status", c.status());
            m.put("detail", c.detail());
            out.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("checks", out);
        return m;
    }
}
