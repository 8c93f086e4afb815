package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.schedule.Schedules;
import io.qontrek.factorydr.schedule.Schedules.Schedule;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a flow for the service: from its schedule (the trigger routes call {@code runScheduledFlow})
 * or once at start-up when its last run is older than its previous fire time (catch-up). Each run
 * is a new exchange sent to {@code direct:<flow>}, so the catalog records it under the flow's own
 * name, and it passes the {@link FlowGuard}. A flow that cannot run because its route is stopped
 * or suspended (over JMX) fails loudly: logged and recorded as a failed run.
 */
public final class ScheduledRuns {
    /** Header naming the flow a trigger route runs. */
    public static final String FLOW = "factoryFlow";
    /** Exchange property saying what triggered a run: schedule or catch-up. */
    public static final String TRIGGER = "factoryTrigger";

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledRuns.class);

    private final Catalog catalog;
    private volatile ProducerTemplate template;

    ScheduledRuns(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Outcome of one attempt. */
    public enum Outcome { DONE, SKIPPED_BUSY, FAILED }

    /** Runs the flow and waits for it; a failure is logged (and recorded when the flow itself could not). */
    public Outcome run(CamelContext context, String flow, String trigger) {
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // a stopped flow fails at once, rather than after the direct component's wait for a consumer
        ServiceStatus status = context.getRouteController().getRouteStatus(flow);
        if (status == null || !status.isStarted()) return notStarted(flow, trigger, started);
        Exchange ex = template(context).send("direct:" + flow, e -> e.setProperty(TRIGGER, trigger));
        Exception e = ex.getException();
        if (e == null) {
            LOG.info("{}: {} run done", flow, trigger);
            return Outcome.DONE;
        }
        if (e instanceof FlowGuard.FlowBusyException) return Outcome.SKIPPED_BUSY; // FlowGuard logged it
        // the exchange never entered the flow's route when the flow itself had no consumer
        if (e instanceof DirectConsumerNotAvailableException && ex.getFromRouteId() == null) {
            return notStarted(flow, trigger, started); // stopped between the check and the send
        } else {
            // a step of the flow that sends where nothing consumes (an edit's `to: direct:archive-stor`) is
            // the flow's own failure, recorded by its error handler: not a second one blaming JMX
            LOG.error("{}: {} run failed: {}", flow, trigger, e.getMessage());
        }
        return Outcome.FAILED;
    }

    private Outcome notStarted(String flow, String trigger, Instant started) {
        String why = "not run: route " + flow + " is not started (stopped or suspended, e.g. over JMX)";
        LOG.error("{}: {} {}", flow, trigger, why);
        catalog.recordRun(flow, started.toString(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                "failed", null, trigger + " " + why);
        return Outcome.FAILED;
    }

    /**
     * Start-up catch-up: for each enabled schedule whose flow's last recorded run started before
     * the schedule's previous fire time, runs the flow once, in the background, one flow after
     * the other, stopping early if the service is shutting down.
     */
    public void catchUpInBackground(CamelContext context, Schedules schedules) {
        ExecutorService pool = context.getExecutorServiceManager().newSingleThreadExecutor(this, "catch-up");
        pool.submit(() -> {
            try {
                catchUp(context, schedules);
            } catch (RuntimeException e) {
                LOG.error("catch-up stopped: {}", e.getMessage(), e);
            } finally {
                context.getExecutorServiceManager().shutdown(pool);
            }
        });
    }

    void catchUp(CamelContext context, Schedules schedules) {
        Instant now = Instant.now();
        for (Schedule s : schedules.enabled()) {
            if (context.isStopping() || context.isStopped()) return;
            Optional<Instant> last = lastStart(s.flow());
            Optional<Instant> missed = s.missed(last, now);
            if (missed.isEmpty()) {
                LOG.info("{}: no catch-up needed (last run {}, next fire {})", s.flow(),
                        last.map(Instant::toString).orElse("never"), s.nextAfter(now));
                continue;
            }
            LOG.info("{}: catch-up: the run due at {} was missed (last run started {}); running it once now",
                    s.flow(), missed.get(), last.get());
            run(context, s.flow(), "catch-up");
        }
    }

    private Optional<Instant> lastStart(String flow) {
        return catalog.runs(flow).stream().map(r -> Instant.parse(r.startedAt())).max(Instant::compareTo);
    }

    private ProducerTemplate template(CamelContext context) {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) template = context.createProducerTemplate();
                t = template;
            }
        }
        return t;
    }
}
