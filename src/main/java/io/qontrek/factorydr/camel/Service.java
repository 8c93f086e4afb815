package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.schedule.CronCheck;
import io.qontrek.factorydr.schedule.Schedules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code serve} adds to the application every command builds ({@link Flows#configure}): the
 * schedules' trigger routes start, remote JMX opens, the Camel CLI's connector is on, route files
 * reload when edited, the HTTP port and address reach Camel (behind the bearer token, when one is
 * set), and once everything is up, missed runs are caught up.
 */
public final class Service {
    private static final Logger LOG = LoggerFactory.getLogger(Service.class);

    /** The service's own lock on its archive directory, held as long as this JVM runs. */
    private static FlowLock serviceLock;

    private Service() {}

    /**
     * One service per archive directory: two would each run every schedule and each catch up every
     * missed run. Taken before anything starts; the OS drops it when the process ends.
     */
    static synchronized void lockArchiveDirectory(Settings settings) {
        if (serviceLock != null) return;
        RuntimeLayout layout = RuntimeLayout.of(settings);
        try {
            serviceLock = FlowLock.tryTake(layout.lockDir().resolve("serve.lock"), java.time.Instant.now());
        } catch (FlowLock.Busy busy) {
            throw new ConfigException("another factory-dr service is already serving the archive directory "
                    + layout.archiveDir() + " (" + busy.holder() + ")");
        } catch (java.io.IOException e) {
            throw new ConfigException("cannot take the service's lock in " + layout.lockDir() + ": " + e.getMessage());
        }
    }

    public static void configure(Main main, Settings settings, Secrets secrets) {
        // refused before the lock is taken: a bad address or a missing token is a usage error, exit 2
        HttpApiAccess http = HttpApiAccess.from(settings, secrets);
        lockArchiveDirectory(settings);
        Schedules schedules = Schedules.from(settings);
        schedules.serveProperties().forEach(main::addOverrideProperty);
        // Camel Main ignores environment variables ending in _PORT, so FACTORY_HTTP_PORT reaches Camel
        // only through Settings (factory.http.port). The management server stays on the same port:
        // on any other port every platform-http route fails to start (camel-field-guide.md, section 10).
        String port = String.valueOf(settings.getInt("factory.http.port", 1, 65535));
        main.addOverrideProperty("factory.serve", "true");
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "true");
        main.addOverrideProperty("camel.server.enabled", "true");
        main.addOverrideProperty("camel.server.port", port);
        main.addOverrideProperty("camel.management.port", port);
        http.configure(main, port);

        RouteEdits edits = routeEdits(main, settings);
        RemoteJmx.start(settings);
        CamelCliConnector.configure(main, settings);

        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport m) {
                if (edits != null) {
                    try {
                        m.getCamelContext().addService(edits);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot watch the route files: " + e.getMessage(), e);
                    }
                }
                stopRoutesOnInvalidCrons(m.getCamelContext());
                for (Schedules.Schedule s : schedules.all()) {
                    LOG.info("schedule {}: {} ({}){}", s.flow(), s.cron(), s.zone(), s.enabled() ? "" : " disabled");
                }
                ScheduledRuns runs = m.getCamelContext().getRegistry().lookupByNameAndType("scheduledRuns", ScheduledRuns.class);
                runs.catchUpInBackground(m.getCamelContext(), schedules);
            }
        });
    }

    /**
     * A cron written into a route file is read by Quartz alone at start-up, and Quartz takes some that
     * are out of range (hour 99 fires hourly). Such a schedule route is stopped at once, with an ERROR
     * naming it; healthz's routes check is then unhealthy until the file is put right (an edit of it is
     * checked strictly, see {@link RouteFileCheck}).
     */
    private static void stopRoutesOnInvalidCrons(CamelContext context) {
        for (Route r : context.getRoutes()) {
            if (!(r.getEndpoint() instanceof QuartzEndpoint q) || q.getCron() == null) continue;
            try {
                CronCheck.validate(q.getCron());
            } catch (ParseException bad) {
                LOG.error("route {}: cron '{}' is invalid ({}): the route is stopped, so that it never fires as Quartz would read it",
                        r.getRouteId(), q.getCron(), bad.getMessage());
                try {
                    context.getRouteController().stopRoute(r.getRouteId());
                } catch (Exception e) {
                    LOG.error("route {}: cannot stop it: {}", r.getRouteId(), e.toString());
                }
            }
        }
    }

    /** The watcher of the route files (started once the routes are up), or null when edits are not watched. */
    private static RouteEdits routeEdits(Main main, Settings settings) {
        if (!settings.getBoolean("factory.routes.reload")) return null;
        Path dir = settings.inHome(settings.get("factory.routes-dir", "routes"));
        if (!Files.isDirectory(dir)) {
            LOG.warn("factory.routes.reload=true but {} is not a directory: the routes inside the jar cannot be edited", dir);
            return null;
        }
        // not Camel's own reload, which swaps an edit in before knowing that its routes start
        RouteEdits edits = new RouteEdits(dir.toAbsolutePath().normalize());
        main.bind(RouteEdits.BEAN, edits);
        return edits;
    }
}
