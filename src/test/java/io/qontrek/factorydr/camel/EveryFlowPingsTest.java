package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A reader of routes/ sees that every flow sends heartbeat pings: each flow (a route fed by
 * {@code direct:}) names the {@code heartbeat} route configuration, and that configuration pings at
 * the start (interceptFrom), on success and on failure (onCompletion). HeartbeatEndToEndTest shows
 * the pings arrive. The HTTP API (routes/api.camel.yaml, whose direct: routes are the reads its answers
 * share) answers requests and runs no flow.
 */
class EveryFlowPingsTest {
    /** Shared steps, not flows: they have no error handling of their own, a failure is their caller's (which alerts and pings). */
    static final List<String> STEPS = List.of("sign-detached", "verify-detached");

    @Test
    void everyFlowNamesTheHeartbeatConfigurationWhichPingsStartSuccessAndFailure() throws Exception {
        Map<String, String> flows = new TreeMap<>();
        Map<?, ?> heartbeat = null;
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList()) {
                for (Object element : (List<?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(f))) {
                    Map<?, ?> e = (Map<?, ?>) element;
                    if (e.get("routeConfiguration") instanceof Map<?, ?> rc && "heartbeat".equals(rc.get("id"))) heartbeat = rc;
                    if (e.get("route") instanceof Map<?, ?> r && !f.getFileName().toString().equals("api.camel.yaml")
                            && String.valueOf(((Map<?, ?>) r.get("from")).get("uri")).startsWith("direct:")
                            && !STEPS.contains(r.get("id"))) {
                        flows.put((String) r.get("id"), String.valueOf(r.get("routeConfigurationId")));
                    }
                }
            }
        }
        assertThat(flows).containsKeys("backup-full", "backup-incremental", "verify-daily", "verify-proofs", "restore",
                "offsite-catch-up", "drill-quarterly", "panic-recover", "retention");
        List<String> silent = new ArrayList<>();
        flows.forEach((flow, configurations) -> {
            if (Arrays.stream(configurations.split(",")).map(String::trim).noneMatch("heartbeat"::equals)) {
                silent.add(flow + " (" + configurations + ")");
            }
        });
        assertThat(silent).as("flows that would not ping").isEmpty();

        assertThat(heartbeat).as("route configuration heartbeat").isNotNull();
        assertThat(refs(heartbeat.get("interceptFrom"))).containsExactly("heartbeatStart");
        List<String> completions = new ArrayList<>();
        for (Object c : (List<?>) heartbeat.get("onCompletion")) {
            Map<?, ?> oc = (Map<?, ?>) ((Map<?, ?>) c).get("onCompletion");
            String when = Boolean.TRUE.equals(oc.get("onCompleteOnly")) ? "complete" : Boolean.TRUE.equals(oc.get("onFailureOnly")) ? "failure" : "any";
            for (String ref : refs(List.of(oc))) completions.add(when + ":" + ref);
        }
        assertThat(completions).containsExactlyInAnyOrder("complete:heartbeatSuccess", "failure:heartbeatFailure");
    }

    /** The process refs in the steps of each element of a list of {kind: {steps: [...]}} or {steps: [...]}. */
    private static List<String> refs(Object list) {
        List<String> refs = new ArrayList<>();
        for (Object o : (List<?>) list) {
            Map<?, ?> m = (Map<?, ?>) o;
            Object inner = m.containsKey("steps") ? m : m.values().iterator().next();
            for (Object s : (List<?>) ((Map<?, ?>) inner).get("steps")) {
                if (s instanceof Map<?, ?> step && step.get("process") instanceof Map<?, ?> p) refs.add(String.valueOf(p.get("ref")));
            }
        }
        return refs;
    }
}
