package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.schedule.CronCheck;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.component.direct.DirectEndpoint;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.PropertiesSource;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.CamelContextHelper;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Whether a set of route files would load in the running service, found out in a throwaway Camel
 * context that builds every route and starts none: the YAML is parsed, and each step, bean
 * reference, endpoint (scheme and options) and placeholder is resolved against the service's own
 * beans and properties. Building a route starts its endpoint, and a Quartz endpoint then builds its
 * trigger (cron, time zone, misfire rule) in the throwaway context's own scheduler, which never
 * starts: so a cron Quartz rejects fails here, not once the edit is swapped in. Nothing of the
 * service is changed.
 */
final class RouteFileCheck {
    private RouteFileCheck() {}

    /**
     * Checks {@code files} (path -> text) together, so a route id or a route configuration one file
     * shares with another, or a route configuration another file defines, is judged as at start-up.
     *
     * @return the ids of the routes each file defines
     * @throws Exception what Camel or Quartz said of the first thing that does not load
     */
    static Map<Path, List<String>> check(CamelContext service, Map<Path, String> files) throws Exception {
        DefaultCamelContext probe = new DefaultCamelContext(new DefaultRegistry(service.getRegistry()));
        probe.getCamelContextExtension().setName(service.getName() + "-route-check");
        probe.disableJMX();
        // a connector of its own would delete the service's files in ~/.camel when it stops: the CLI's "stop"
        probe.getCamelContextExtension().addContextPlugin(org.apache.camel.spi.CliConnectorFactory.class, CamelCliConnector.none());
        probe.setStartupSummaryLevel(StartupSummaryLevel.Off);
        // the routes' placeholders resolve to the values the service runs with
        probe.getPropertiesComponent().addPropertiesSource(new PropertiesSource() {
            @Override
            public String getName() {
                return "the service's properties";
            }

            @Override
            public String getProperty(String name) {
                return service.getPropertiesComponent().resolveProperty(name).orElse(null);
            }
        });
        probe.setAutoStartup(false);
        // its own scheduler, never started and not shown over JMX beside the service's
        QuartzComponent quartz = probe.getComponent("quartz", QuartzComponent.class);
        quartz.setAutoStartScheduler(false);
        quartz.setEnableJmx(false);
        try {
            Map<String, Path> defined = new HashMap<>();
            Map<Path, List<String>> templated = new HashMap<>();
            for (Map.Entry<Path, String> f : files.entrySet()) {
                PluginHelper.getRoutesLoader(probe).loadRoutes(ResourceHelper.fromString("file:" + f.getKey(), f.getValue()));
                // a route id defined again replaces the first route silently: say so instead
                List<String> ids = new ArrayList<>();
                for (RouteDefinition r : probe.getRouteDefinitions()) {
                    if (r.getRouteId() != null && f.getKey().equals(sourceFile(r.getResource()))) ids.add(r.getRouteId());
                }
                // the routes made from templates have no source file: the file names them
                List<String> fromTemplates = new ArrayList<>();
                for (RouteFiles.TemplatedRoute t : RouteFiles.templatedRoutes(f.getValue())) {
                    if (t.routeId() != null) fromTemplates.add(t.routeId());
                }
                templated.put(f.getKey(), fromTemplates);
                ids.addAll(fromTemplates);
                for (String id : ids) {
                    Path other = defined.putIfAbsent(id, f.getKey());
                    if (other != null && !other.equals(f.getKey())) {
                        throw new IllegalArgumentException("route id " + id + " is defined in " + other + " and " + f.getKey());
                    }
                }
            }
            for (RouteDefinition r : probe.getRouteDefinitions()) {
                // a route that would start in the service is built, but started in the probe never
                if (r.getAutoStartup() != null) CamelContextHelper.parseBoolean(probe, withTemplateParameters(r, r.getAutoStartup()));
                r.setAutoStartup("false");
            }
            probe.start();
            for (Endpoint e : probe.getEndpoints()) {
                // Quartz builds a trigger from some out-of-range crons (hour 99 fires hourly): refuse those too
                if (e instanceof QuartzEndpoint q && q.getCron() != null) {
                    try {
                        CronCheck.validate(q.getCron());
                    } catch (ParseException bad) {
                        throw new IllegalArgumentException("cron '" + q.getCron() + "' of " + q.getEndpointUri() + " is invalid: " + bad.getMessage());
                    }
                }
            }
            requireConsumers(service, probe, files);
            Map<Path, List<String>> ids = new LinkedHashMap<>();
            for (Path p : files.keySet()) ids.put(p, new ArrayList<>());
            for (Route r : probe.getRoutes()) {
                Path source = sourceFile(r.getSourceResource());
                if (source != null && ids.containsKey(source)) ids.get(source).add(r.getRouteId());
            }
            templated.forEach((file, tids) -> {
                for (String id : tids) if (probe.getRoute(id) != null && !ids.get(file).contains(id)) ids.get(file).add(id);
            });
            return ids;
        } finally {
            probe.stop();
        }
    }

    /**
     * Every direct: endpoint a route sends to is some route's start, in these files or among the
     * service's routes from elsewhere (Java): a send where nothing consumes (an edit's
     * {@code to: direct:archive-stor}) would otherwise load, and fail every run that reaches it.
     */
    private static void requireConsumers(CamelContext service, CamelContext probe, Map<Path, String> files) {
        java.util.Set<String> consumed = new java.util.HashSet<>();
        for (Route r : probe.getRoutes()) if (r.getEndpoint() instanceof DirectEndpoint d) consumed.add(directName(d));
        for (Route r : service.getRoutes()) {
            if (r.getEndpoint() instanceof DirectEndpoint d && !files.containsKey(sourceFile(r.getSourceResource()))) consumed.add(directName(d));
        }
        for (Endpoint e : probe.getEndpoints()) {
            if (e instanceof DirectEndpoint d && !consumed.contains(directName(d))) {
                throw new IllegalArgumentException("a route sends to direct:" + directName(d) + ", which no route starts from");
            }
        }
    }

    /** The name in direct://name?options. */
    private static String directName(DirectEndpoint d) {
        String base = d.getEndpointBaseUri();
        return base.substring(base.indexOf(':') + 1).replaceFirst("^//", "");
    }

    /**
     * {@code text} with the parameters of the template the route was made from in place: Camel puts
     * them in only as it builds the route ({{flow}} of the schedules' autoStartup).
     */
    private static String withTemplateParameters(RouteDefinition r, String text) {
        if (!r.isCreatedFromTemplate() || r.getTemplateParameters() == null) return text;
        for (Map.Entry<String, Object> p : r.getTemplateParameters().entrySet()) {
            text = text.replace("{{" + p.getKey() + "}}", String.valueOf(p.getValue()));
        }
        return text;
    }

    /** The file a route was loaded from, or null (a route added by Java code). */
    static Path sourceFile(Resource res) {
        if (res == null || res.getLocation() == null) return null;
        String loc = res.getLocation();
        return Path.of(loc.startsWith("file:") ? loc.substring("file:".length()) : loc).toAbsolutePath().normalize();
    }
}
