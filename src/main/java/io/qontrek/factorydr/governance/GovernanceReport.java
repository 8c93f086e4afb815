package io.qontrek.factorydr.governance;

import io.qontrek.factorydr.verify.CheckResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every gate's verdict; it passes only when every gate passes. */
public record GovernanceReport(boolean pass, List<CheckResult> gates) {
    public static GovernanceReport of(List<CheckResult> gates) {
        return new GovernanceReport(gates.stream().allMatch(CheckResult::pass), List.copyOf(gates));
    }

    public Optional<CheckResult> gate(String name) {
        return gates.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** {"pass": bool, "gates": [{"name", "pass", "detail"}]}, the shape of GET /api/mcp/governance. */
    public Map<String, Object> toJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CheckResult g : gates) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", g.name());
            m.put("pass", g.pass());
            m.put("detail", g.detail());
            out.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pass", pass);
        m.put("gates", out);
        return m;
    }
}
