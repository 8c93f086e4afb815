package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernanceReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns successive governance reports into alerts on change only: a gate that starts failing raises
 * one alert (critical for the RPO, warning for the others), a gate that passes again raises one
 * "resolved" (info). The first report counts every gate as previously passing, so a service started
 * in breach alerts once. Kept in memory: a restart in breach alerts again, once.
 */
public final class GovernanceWatch {
    public static final String FLOW = "governance-watch";

    private final Map<String, Boolean> previous = new HashMap<>();

    public synchronized List<Alert> changes(GovernanceReport report, Instant now) {
        List<Alert> out = new ArrayList<>();
        for (CheckResult g : report.gates()) {
            boolean before = previous.getOrDefault(g.name(), true);
            if (before && !g.pass()) {
                String severity = Gates.RPO.equals(g.name()) ? Alert.CRITICAL : Alert.WARNING;
                String what = Gates.RPO.equals(g.name()) ? "RPO breach: " : "governance gate " + g.name() + " fails: ";
                out.add(new Alert(now, FLOW, severity, what + g.detail()));
            } else if (!before && g.pass()) {
                out.add(new Alert(now, FLOW, Alert.INFO, "governance gate " + g.name() + " passes again: " + g.detail()));
            }
            previous.put(g.name(), g.pass());
        }
        return out;
    }
}
