package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.catalog.Catalog;
import java.time.Instant;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * recordFailedRun (routes/errors.camel.yaml): the failed run of the route the failure is in, under
 * that route's id, with the failure's one line. Camel runs the error handling of that route only,
 * once: not again for the flow that sent the exchange there, nor for the flow around a split
 * (FlowFailuresAlertTest). When the catalog cannot take the row (the failure may be the catalog's),
 * that is logged, and the flow still fails and alerts with its own failure.
 */
final class FailedRuns implements Processor {
    /** Exchange property: when the route the exchange is in started its run, if not when the exchange did (offsite-upload). */
    static final String STARTED = "factoryRunStarted";

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
        String route = FlowBeans.route(ex);
        Instant started = ex.getProperty(STARTED, Instant.class);
        try {
            catalog.recordRun(route, started != null ? started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()
                    : FlowBeans.started(ex), now.get().toString(), "failed", null, e == null ? null : String.valueOf(e.getMessage()));
        } catch (RuntimeException cannot) {
            LOG.error("{}: its failed run is not recorded: {}", route, ApiBeans.oneLine(cannot));
        }
    }
}
