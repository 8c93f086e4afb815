package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.schedule.Schedules;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.camel.Processor;

/**
 * The beans of routes/schedules.camel.yaml: the flow guard (a route policy on every scheduled flow)
 * and the runner the trigger routes call. The service's own, not steps: Flows binds them beside the steps.
 */
final class ScheduleBeans {
    private ScheduleBeans() {}

    static void bindAll(BiConsumer<String, Object> bind, Catalog catalog, RuntimeLayout layout) {
        Set<String> guarded = new HashSet<>(Schedules.FLOWS);
        bind.accept("flowGuard", new FlowGuard(guarded, layout.archiveDir(), layout.lockDir()));
        ScheduledRuns runs = new ScheduledRuns(catalog);
        bind.accept("scheduledRuns", runs);
        bind.accept("runScheduledFlow", (Processor) ex -> {
            String flow = ex.getMessage().getHeader(ScheduledRuns.FLOW, String.class);
            if (flow == null || flow.isBlank()) {
                throw new IllegalStateException("route " + ex.getFromRouteId() + ": set header " + ScheduledRuns.FLOW
                        + " to the flow to run before runScheduledFlow");
            }
            runs.run(ex.getContext(), flow, "schedule");
        });
    }
}
