package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.catalog.Catalog;
import java.time.Instant;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * recordFailedRun (routes/errors.camel.yaml): the failed run of the route the failure is in, under
 * that route's id, with the failure's one line. Each failure is recorded once: a failure inside a
 * split reaches the error handling twice, for the part's exchange and again (as itself, or wrapped)
 * for the flow's. When the catalog cannot take the row (the failure may be the catalog's), that is
 * logged, and the flow still fails and alerts with its own failure.
 */
final class FailedRuns implements Processor {
    /** Exchange property: when the route the exchange is in started its run, if not when the exchange did (offsite-upload). */
    static final String STARTED = "factoryRunStarted";

    private static final Logger LOG = LoggerFactory.getLogger(FailedRuns.class);

    private final Catalog catalog;
    private final Supplier<Instant> now;
    /** The failures recorded, by identity, held only while something else holds them. */
    private final Set<Throwable> recorded = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    FailedRuns(Catalog catalog, Supplier<Instant> now) {
        this.catalog = catalog;
        this.now = now;
    }

    @Override
    public void process(Exchange ex) {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e != null) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (recorded.contains(t)) return;
            }
            recorded.add(e);
        }
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
