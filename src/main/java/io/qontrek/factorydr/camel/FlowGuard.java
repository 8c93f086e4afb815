package io.qontrek.factorydr.camel;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two runs of one flow never overlap, whatever triggers them (a schedule, the start-up catch-up, an
 * HTTP call, another route): an exchange that enters a guarded flow while an earlier one is still
 * in it is refused with {@link FlowBusyException} before its first step, and logged. The state
 * lives here, keyed by route id, so it survives a route reload. (Quartz's stateful jobs already
 * keep one schedule from overlapping itself; this covers every other way in.)
 */
public final class FlowGuard implements RoutePolicyFactory {
    private static final Logger LOG = LoggerFactory.getLogger(FlowGuard.class);
    private static final String HELD = "factoryFlowGuard.";

    private final Set<String> guarded;
    private final ConcurrentMap<String, Instant> running = new ConcurrentHashMap<>();

    public FlowGuard(Set<String> guardedRouteIds) {
        this.guarded = Set.copyOf(guardedRouteIds);
    }

    /** A run of this flow is refused because another one is in progress. */
    public static final class FlowBusyException extends IllegalStateException {
        public FlowBusyException(String flow, Instant since) {
            super(flow + " is already running (since " + since + "); this trigger is skipped");
        }
    }

    /** When the running run of this flow started, if one is running. */
    public Instant runningSince(String flow) {
        return running.get(flow);
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        return guarded.contains(routeId) ? new Policy() : null;
    }

    private final class Policy extends RoutePolicySupport {
        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            String id = route.getRouteId();
            Instant now = Instant.now();
            Instant before = running.putIfAbsent(id, now);
            if (before == null) {
                exchange.setProperty(HELD + id, now);
            } else {
                FlowBusyException busy = new FlowBusyException(id, before);
                LOG.warn("{}", busy.getMessage());
                exchange.setException(busy);
            }
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            String id = route.getRouteId();
            Object held = exchange.removeProperty(HELD + id);
            if (held != null) running.remove(id, held);
        }
    }
}
