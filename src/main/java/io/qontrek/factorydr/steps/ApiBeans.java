package io.qontrek.factorydr.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogJson;
import io.qontrek.factorydr.catalog.CatalogReads;
import io.qontrek.factorydr.catalog.CatalogRows;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernanceReport;
import io.qontrek.factorydr.observe.Alert;
import io.qontrek.factorydr.observe.Alerts;
import io.qontrek.factorydr.observe.Check;
import io.qontrek.factorydr.observe.ConfigDrift;
import io.qontrek.factorydr.observe.GovernanceWatch;
import io.qontrek.factorydr.observe.HealthReport;
import io.qontrek.factorydr.observe.PrometheusText;
import io.qontrek.factorydr.observe.Status;
import io.qontrek.factorydr.observe.StatusPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;

/**
 * The beans of routes/api.camel.yaml (HTTP API) and routes/alerts.camel.yaml, and the {@code alert}
 * step of the flows' error handling (routes/errors.camel.yaml).
 */
public final class ApiBeans {
    /** Exchange property set once an exchange's failure has been alerted, so nested routes alert once. */
    static final String ALERTED = "factoryAlerted";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ApiBeans() {}

    public static void bindAll(BiConsumer<String, Object> bind, Settings settings, Secrets secrets, Supplier<Instant> now,
            UnaryOperator<Settings> settingsCheck) {
        // the one source of every verdict: the API, the page, the watch and `factory-dr status` alike
        Status status = new Status(settings, secrets);
        RuntimeLayout layout = status.layout();
        Catalog catalog = status.catalog();
        Alerts alerts = Alerts.from(settings, layout, secrets);
        GovernanceWatch watch = new GovernanceWatch();
        Supplier<GovernanceReport> governance = () -> status.governance(now.get());

        // HTTP API: each answer is computed from what its route read of the catalog through catalogDs
        // (api-catalog-reads), never from a connection of its own
        bind.accept("catalog", catalog);
        bind.accept("catalogDs", CatalogRows.readOnlyDataSource(layout.catalogDb()));
        bind.accept("chartWindow", (Processor) ex -> ex.getMessage().setHeader("since", Status.chartSince(now.get())));
        ConfigDrift config = new ConfigDrift(settings, settingsCheck);
        Function<Exchange, HealthReport> health = ex -> status.health(read(ex, catalog), routes(ex), routeEdits(ex), config.check());
        bind.accept("checkHealth", (Processor) ex -> ex.getMessage().setBody(health.apply(ex)));
        bind.accept("evaluateGovernance", (Processor) ex -> ex.getMessage().setBody(status.governance(read(ex, catalog), now.get())));
        bind.accept("renderStatusPage", (Processor) ex -> {
            Instant at = now.get();
            CatalogReads read = read(ex, catalog);
            ex.getMessage().setBody(StatusPage.render(status.report(read, CatalogRows.sizedRuns(rows(ex, "chartRuns")), at,
                    status.governance(read, at), health.apply(ex))));
        });
        bind.accept("listCatalog", (Processor) ex -> ex.getMessage().setBody(CatalogJson.archives(read(ex, catalog).archives())));
        bind.accept("renderMetrics", (Processor) ex -> {
            Instant at = now.get();
            CatalogReads read = read(ex, catalog);
            ex.getMessage().setBody(PrometheusText.render(read.archives(), read.flowRuns(), status.governance(read, at),
                    freeBytes(layout.archiveDir()), Gates.recoveryPoints(layout, read), status.policy().offsiteEnabled(), at));
        });
        bind.accept("toJson", (Processor) ex -> {
            Object body = ex.getMessage().getBody();
            if (body instanceof GovernanceReport g) body = g.toJson();
            if (body instanceof HealthReport h) body = h.toJson();
            ex.getMessage().setBody(JSON.writeValueAsString(body) + "\n");
        });

        // alerts
        bind.accept("alert", (Processor) ex -> {
            if (Boolean.TRUE.equals(ex.getProperty(ALERTED, Boolean.class))) return;
            // a failure the calling flow catches (the drill's doTry around a restore) is that flow's outcome
            // to judge: it alerts if it fails
            if (Boolean.TRUE.equals(ex.getProperty(org.apache.camel.ExchangePropertyKey.TRY_ROUTE_BLOCK, Boolean.class))) return;
            ex.setProperty(ALERTED, true);
            Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            String flow = ex.getFromRouteId();
            alerts.raise(new Alert(now.get(), flow, Alert.CRITICAL,
                    flow + " failed: " + (e == null ? "unknown error" : oneLine(e))));
        });
        bind.accept("watchGovernance", (Processor) ex -> {
            GovernanceReport report = governance.get();
            for (Alert a : watch.changes(report, now.get())) alerts.raise(a);
            ex.getMessage().setBody(report);
        });
    }

    /**
     * What api-catalog-reads left in the exchange's variables (one per query; absent: the catalog or
     * its table does not exist yet, so nothing is recorded), or, when healthz caught a failure to
     * read it (variable catalogProblem), a catalog whose every read fails saying why.
     */
    public static CatalogReads read(Exchange ex, Catalog catalog) {
        String problem = ex.getVariable("catalogProblem", String.class);
        if (problem != null) return CatalogRows.unreadable(problem);
        return CatalogRows.snapshot(rows(ex, "archives"), rows(ex, "flowRuns"), rows(ex, "databases"), rows(ex, "proofChain"));
    }

    @SuppressWarnings("unchecked")
    public static List<java.util.Map<String, Object>> rows(Exchange ex, String variable) {
        return ex.getVariable(variable, List.class);
    }

    /** Every route that starts on its own must be started; routes off by configuration (autoStartup false) are fine. */
    private static Check routes(Exchange ex) {
        List<String> down = new ArrayList<>();
        int started = 0;
        for (Route r : ex.getContext().getRoutes()) {
            ServiceStatus s = ex.getContext().getRouteController().getRouteStatus(r.getRouteId());
            if (s == ServiceStatus.Started) started++;
            else if (r.isAutoStartup()) down.add(r.getRouteId() + " (" + s + ")");
        }
        return down.isEmpty() ? Check.healthy("routes", started + " routes started")
                : Check.unhealthy("routes", "not started: " + String.join(", ", down));
    }

    /** Refused route edits (serve watches the route files; a command that does not, has none). */
    private static Check routeEdits(Exchange ex) {
        RouteEditsHealth edits = ex.getContext().getRegistry().lookupByNameAndType(RouteEditsHealth.BEAN, RouteEditsHealth.class);
        return edits != null ? edits.check() : Check.healthy("route-edits", "route files are not watched (factory.routes.reload=false)");
    }

    private static long freeBytes(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) p = p.getParent();
        try {
            return p == null ? 0 : Files.getFileStore(p).getUsableSpace();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** The exception's message on one line, without stack traces. */
    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
