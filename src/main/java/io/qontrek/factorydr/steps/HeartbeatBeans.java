package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.observe.Heartbeat;
import java.util.function.BiConsumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.ExchangeHelper;

/**
 * The steps of routes/heartbeat.camel.yaml: a flow run's start, success and failure pings
 * ({@link Heartbeat}). The route configuration applies to every route that names it, and a flow
 * sends to other flows' routes on the same exchange (a backup's offsite-upload), so each step pings
 * only in the route the exchange entered first: one start and one outcome per run, under the
 * flow's own name, as the catalog records it.
 */
final class HeartbeatBeans {
    private HeartbeatBeans() {}

    static void bindAll(BiConsumer<String, Object> bind, Settings settings, Secrets secrets) {
        Heartbeat heartbeat = Heartbeat.from(settings, secrets);
        bind.accept("heartbeatStart", (Processor) ex -> {
            if (inOwnRoute(ex)) heartbeat.started(ex.getFromRouteId());
        });
        bind.accept("heartbeatSuccess", (Processor) ex -> {
            if (inOwnRoute(ex)) heartbeat.succeeded(ex.getFromRouteId());
        });
        bind.accept("heartbeatFailure", (Processor) ex -> {
            if (!inOwnRoute(ex)) return;
            Exception e = ex.getException() != null ? ex.getException() : ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            heartbeat.failed(ex.getFromRouteId(), e == null ? "unknown error" : ApiBeans.oneLine(e));
        });
    }

    /** Whether the exchange is in the route it entered first, not in a flow that route sent it on to. */
    private static boolean inOwnRoute(Exchange ex) {
        String at = ExchangeHelper.getAtRouteId(ex);
        return at != null && at.equals(ex.getFromRouteId());
    }
}
