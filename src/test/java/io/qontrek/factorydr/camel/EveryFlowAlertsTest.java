package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A reader of routes/ sees that every flow's failure alerts: each flow (a route fed by
 * {@code direct:}) names a route configuration, and every onException of that configuration has the
 * {@code alert} step. The other routes are triggers and answers, not flows: the schedules send to
 * flows (which alert), the HTTP API answers its caller (routes/api.camel.yaml: its direct: routes are
 * the reads its answers share), and governance-watch is itself an alert.
 */
class EveryFlowAlertsTest {
    /** Shared steps, not flows: they have no error handling of their own, a failure is their caller's (which alerts and pings). */
    static final List<String> STEPS = List.of("sign-detached", "verify-detached");

    @Test
    void everyFlowNamesARouteConfigurationWhoseEveryHandlerAlerts() throws Exception {
        Map<String, List<List<?>>> handlers = new HashMap<>();
        Map<String, String> flows = new HashMap<>();
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList()) {
                for (Object element : (List<?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(f))) {
                    Map<?, ?> e = (Map<?, ?>) element;
                    if (e.get("routeConfiguration") instanceof Map<?, ?> rc && rc.get("onException") != null) {
                        List<List<?>> steps = new ArrayList<>();
                        for (Object h : (List<?>) rc.get("onException")) {
                            steps.add((List<?>) ((Map<?, ?>) ((Map<?, ?>) h).get("onException")).get("steps"));
                        }
                        handlers.put((String) rc.get("id"), steps);
                    }
                    if (e.get("route") instanceof Map<?, ?> r && !f.getFileName().toString().equals("api.camel.yaml")
                            && String.valueOf(((Map<?, ?>) r.get("from")).get("uri")).startsWith("direct:")
                            && !STEPS.contains(r.get("id"))) {
                        flows.put((String) r.get("id"), (String) r.get("routeConfigurationId"));
                    }
                }
            }
        }
        assertThat(flows).containsKeys("backup-full", "verify-daily", "restore", "offsite-catch-up", "drill-quarterly",
                "panic-recover", "panic-verify", "retention");
        List<String> silent = new ArrayList<>();
        flows.forEach((flow, configurations) -> {
            // the error handling is the configuration that has handlers (heartbeat has none)
            String configuration = configurations == null ? null : java.util.Arrays.stream(configurations.split(","))
                    .map(String::trim).filter(handlers::containsKey).findFirst().orElse(configurations);
            List<List<?>> hs = handlers.get(configuration);
            if (hs == null || hs.isEmpty()) {
                silent.add(flow + " (route configuration " + configuration + ")");
                return;
            }
            for (List<?> steps : hs) {
                boolean alerts = steps != null && steps.stream().anyMatch(s -> s instanceof Map<?, ?> m
                        && m.get("process") instanceof Map<?, ?> p && "alert".equals(p.get("ref")));
                if (!alerts) silent.add(flow + " (a handler of " + configuration + " has no alert step)");
            }
        });
        assertThat(silent).as("flows whose failure would not alert").isEmpty();
    }
}
