package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.catalog.Catalog;
import java.time.Instant;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * recordFailedRun (routes/errors.camel.yaml): the failed run, with the failure's one line, under the
 * flow the run is ({@link #runOf}). Camel runs the error handling of the route the failure is in,
 * once: not again for the flow that sent the exchange there, nor for the flow around a split
 * (FlowFailuresAlertTest). When the catalog cannot take the row (the failure may be the catalog's),
 * that is logged, and the flow still fails and alerts with its own failure.
 */
final class FailedRuns implements Processor {
    /** Exchange property: when the run of {@link #RUN_OF} started, if not when the exchange did (offsite-upload). */
    static final String STARTED = "factoryRunStarted";
    /**
     * Exchange property: the sub-flow whose run the exchange is in, when that sub-flow records runs of its
     * own (offsite-upload after a backup, the drill's restores and panic recovery); set by the step that
     * starts it and removed by the one that ends it. Without it a run is the flow's the exchange entered.
     */
    static final String RUN_OF = "factoryRunOf";
    /** Exchange property: the flow a failure is logged under, {@link #runOf} (set by explainFailure). */
    static final String FAILED_FLOW = "factoryFailedFlow";

    private static final Logger LOG = LoggerFactory.getLogger(FailedRuns.class);

    private final Catalog catalog;
    private final Supplier<Instant> now;

    FailedRuns(Catalog catalog, Supplier<Instant> now) {
        this.catalog = catalog;
        this.now = now;
    }

    @Override
    public void process(Exchange ex) {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String route = runOf(ex);
        try {
            catalog.recordRun(route, startedOf(ex), now.get().toString(), "failed", null, e == null ? null : String.valueOf(e.getMessage()));
        } catch (RuntimeException cannot) {
            LOG.error("{}: its failed run is not recorded: {}", route, ApiBeans.oneLine(cannot));
        }
    }

    /** The flow whose run the exchange is in: a sub-flow that records its own ({@link #RUN_OF}), else the one it entered. */
    static String runOf(Exchange ex) {
        String sub = ex.getProperty(RUN_OF, String.class);
        return sub != null ? sub : ex.getFromRouteId();
    }

    /** When the run of {@link #runOf} started (UTC, to the second). */
    static String startedOf(Exchange ex) {
        Instant sub = ex.getProperty(RUN_OF) == null ? null : ex.getProperty(STARTED, Instant.class);
        return sub != null ? sub.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString() : FlowBeans.started(ex);
    }

    /** The exchange is now in a run of {@code flow}, which records its own. */
    static void begin(Exchange ex, String flow, Instant started) {
        ex.setProperty(RUN_OF, flow);
        ex.setProperty(STARTED, started);
    }

    /** Its run recorded, the sub-flow hands the exchange back to the flow around it. */
    static void end(Exchange ex) {
        ex.removeProperty(RUN_OF);
        ex.removeProperty(STARTED);
    }
}
