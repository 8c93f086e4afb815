package io.qontrek.factorydr.camel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * HTTP call, another route, a command in another process): an exchange that enters a guarded flow
 * while an earlier one is still in it is refused with {@link FlowBusyException} before its first
 * step, and logged. Within this process the state lives here, keyed by route id, so it survives a
 * route reload; across processes each run also holds its flow's {@link FlowLock} in the archive
 * directory's {@code .locks/}. (Quartz's stateful jobs already keep one schedule from overlapping
 * itself; this covers every other way in.)
 */
public final class FlowGuard implements RoutePolicyFactory {
    private static final Logger LOG = LoggerFactory.getLogger(FlowGuard.class);
    private static final String HELD = "factoryFlowGuard.";

    private static final String LOCK = "factoryFlowLock.";

    private final Set<String> guarded;
    private final Path archiveDir;
    private final Path lockDir;
    private final ConcurrentMap<String, Instant> running = new ConcurrentHashMap<>();

    /** @param lockDir where the flows' cross-process locks are ({@code <archive-dir>/.locks}) */
    public FlowGuard(Set<String> guardedRouteIds, Path archiveDir, Path lockDir) {
        this.guarded = Set.copyOf(guardedRouteIds);
        this.archiveDir = archiveDir;
        this.lockDir = lockDir;
    }

    /** A run of this flow is refused because another one is in progress. */
    public static final class FlowBusyException extends IllegalStateException {
        public FlowBusyException(String flow, Instant since) {
            this(flow, "since " + since);
        }

        FlowBusyException(String flow, String where) {
            super(flow + " is already running (" + where + "); this trigger is skipped");
        }

        /** {@code flow} does not start while {@code first} runs. */
        FlowBusyException(String flow, String first, String where) {
            super(flow + " does not run while " + first + " is running (" + where + "): its database deltas would build"
                    + " on the backup before that full, which a restore from the full could not apply; this trigger is skipped");
        }
    }

    /**
     * The full and the incremental backups form one chain of database deltas: an incremental that ran
     * during a full would take its deltas from the backup before that full, while a restore applies it
     * after the full, and refuses it. So both hold one more lock, {@code backup-chain.lock}, for their
     * whole run, taken atomically by the OS: an incremental that finds it held is skipped (the next one
     * comes within the hour), and a full waits for the incremental to end (minutes), up to
     * {@link #FULL_WAITS}, rather than lose its week. No probing of another flow's lock: a probe would
     * itself hold that lock for a moment and could turn a starting full away.
     */
    private static final String CHAIN = "backup-chain";
    private static final String FULL = "backup-full";
    private static final String INCREMENTAL = "backup-incremental";
    static final Duration FULL_WAITS = Duration.ofHours(1);
    private static final String CHAIN_LOCK = "factoryFlowChainLock.";

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
            if (before != null) {
                refuse(exchange, new FlowBusyException(id, before));
                return;
            }
            Path file = lockDir.resolve(id + ".lock");
            if (!writable(archiveDir)) {
                // an archive directory we cannot write (a read-only mount in a disaster): a flow that
                // writes there fails on its own, and one that only reads overlaps nothing. Any other
                // failure to take the lock stops the run (below): unlocked, it could overlap unseen.
                exchange.setProperty(HELD + id, now);
                return;
            }
            try {
                FlowLock own = FlowLock.tryTake(file, now);
                try {
                    FlowLock chain = id.equals(INCREMENTAL) ? FlowLock.tryTake(chainLock(), now)
                            : id.equals(FULL) ? waitForChain(now) : null;
                    if (chain != null) exchange.setProperty(CHAIN_LOCK + id, chain);
                } catch (FlowLock.Busy busy) {
                    own.close();
                    running.remove(id, now);
                    refuse(exchange, new FlowBusyException(id, FULL, "in " + busy.holder()));
                    return;
                } catch (IOException | RuntimeException e) {
                    own.close();
                    throw e;
                }
                exchange.setProperty(LOCK + id, own);
                exchange.setProperty(HELD + id, now);
            } catch (FlowLock.Busy busy) {
                running.remove(id, now);
                refuse(exchange, new FlowBusyException(id, "in " + busy.holder()));
            } catch (IOException | RuntimeException e) {
                running.remove(id, now);
                // no lock, no run: without it another process could be in this flow unseen
                exchange.setException(new IllegalStateException("cannot take " + id + "'s lock " + file + ": " + e.getMessage(), e));
            }
        }

        private Path chainLock() {
            return lockDir.resolve(CHAIN + ".lock");
        }

        /** The chain lock for a full: taken at once, or once the running incremental has ended. */
        private FlowLock waitForChain(Instant now) throws IOException {
            Instant giveUp = now.plus(FULL_WAITS);
            String waitingFor = null;
            while (true) {
                try {
                    return FlowLock.tryTake(chainLock(), now);
                } catch (FlowLock.Busy busy) {
                    if (waitingFor == null) {
                        waitingFor = busy.holder();
                        LOG.info("{} waits for {} to end ({}) before it starts", FULL, INCREMENTAL, waitingFor);
                    }
                    if (Instant.now().isAfter(giveUp)) {
                        throw new IOException(FULL + " waited " + FULL_WAITS.toMinutes() + " min for " + INCREMENTAL
                                + " (" + busy.holder() + ") to end; not started");
                    }
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException(FULL + " stopped while waiting for " + INCREMENTAL + " to end");
                }
            }
        }

        /** Whether the directory, or where it would be made, can be written by this process. */
        private boolean writable(Path dir) {
            for (Path d = dir.toAbsolutePath(); d != null; d = d.getParent()) {
                if (Files.exists(d)) return Files.isWritable(d);
            }
            return false;
        }

        private void refuse(Exchange exchange, FlowBusyException busy) {
            LOG.warn("{}", busy.getMessage());
            exchange.setException(busy);
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            String id = route.getRouteId();
            Object held = exchange.removeProperty(HELD + id);
            if (held == null) return;
            if (exchange.removeProperty(CHAIN_LOCK + id) instanceof FlowLock chain) {
                try {
                    chain.close();
                } catch (IOException e) {
                    LOG.warn("{}: releasing the backup chain's lock: {} (the OS releases it when this process ends)", id, e.toString());
                }
            }
            if (exchange.removeProperty(LOCK + id) instanceof FlowLock lock) {
                try {
                    lock.close();
                } catch (IOException e) {
                    LOG.warn("{}: releasing its lock: {} (the OS releases it when this process ends)", id, e.toString());
                }
            }
            running.remove(id, held);
        }
    }
}
