package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.schedule.Schedules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.camel.Processor;

/**
 * The beans of routes/schedules.camel.yaml and of the verify-daily flow: the flow guard (a route
 * policy on every scheduled flow), the runner the trigger routes call, and the steps that gather
 * several verifications into one verdict.
 */
final class ScheduleBeans {
    static final String VERIFICATIONS = "factoryVerifications";

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

        // verify-daily: each verify step leaves its verifications as the body; keep them all
        bind.accept("keepVerifications", (Processor) ex -> {
            @SuppressWarnings("unchecked")
            List<Object> kept = ex.getProperty(VERIFICATIONS, List.class);
            if (kept == null) {
                kept = new ArrayList<>();
                ex.setProperty(VERIFICATIONS, kept);
            }
            kept.addAll(VerifyBeans.verifications(ex));
        });
        bind.accept("allVerifications", (Processor) ex -> {
            List<?> kept = ex.getProperty(VERIFICATIONS, List.class);
            ex.getMessage().setBody(kept == null ? new ArrayList<>() : new ArrayList<>(kept));
        });
    }
}
