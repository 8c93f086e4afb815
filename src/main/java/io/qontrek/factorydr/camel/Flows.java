package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.steps.FlowBeans;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/**
 * A running Camel application with factory-dr's routes: the service keeps it up, a CLI command
 * starts it, sends one exchange to a flow's {@code direct:<route-id>} endpoint and stops it.
 */
public final class Flows implements AutoCloseable {
    /** Exchange property carrying the caller's progress listener. */
    public static final String PROGRESS = FlowBeans.PROGRESS;

    private final Main main;

    private Flows(Main main) {
        this.main = main;
    }

    /** Builds the Camel Main application: properties from Settings, routes from the routes directory, our beans. */
    public static Main configure(Settings settings, Secrets secrets) {
        return configure(settings, secrets, routesPattern(settings));
    }

    private static Main configure(Settings settings, Secrets secrets, String routesPattern) {
        return configure(settings, secrets, routesPattern, true);
    }

    private static Main configure(Settings settings, Secrets secrets, String routesPattern, boolean quartz) {
        Main main = new Main();
        Properties props = new Properties();
        props.putAll(settings.asMap());
        // camel.component.quartz.* would create the quartz component and its scheduler (and stop it,
        // a quarter of a second) in a command that loads no quartz route and so can fire no schedule
        if (!quartz) props.keySet().removeIf(k -> k.toString().startsWith("camel.component.quartz."));
        main.setInitialProperties(props);
        main.configure().withRoutesIncludePattern(routesPattern);
        main.configure().withBasePackageScanEnabled(false);
        bindBeans(main::bind, settings, secrets);
        CamelCliConnector.bindOff(main);   // serve turns it on (Service)
        return main;
    }

    /** Every bean the routes name: the steps (steps/FlowBeans) and the service's own, the schedules'. */
    public static void bindBeans(BiConsumer<String, Object> bind, Settings settings, Secrets secrets) {
        FlowBeans.bindAll(bind, settings, secrets, SettingsCheck::validate);
        RuntimeLayout layout = RuntimeLayout.of(settings);
        ScheduleBeans.bindAll(bind, new Catalog(layout.catalogDb()), layout);
    }

    /** Starts the application with every route and returns once they are up. */
    public static Flows start(Settings settings, Secrets secrets) {
        return start(settings, secrets, new String[0]);
    }

    /**
     * Starts the application for a one-shot command that runs these flows: only the route files
     * they need are loaded ({@link RouteFiles}; every file when that cannot be told), and JMX is
     * off (nobody manages a process that ends with its flow; the service keeps it).
     */
    public static Flows start(Settings settings, Secrets secrets, String... routeIds) {
        String pattern = routeIds.length == 0 ? routesPattern(settings) : routesPattern(settings, List.of(routeIds));
        Main main = configure(settings, secrets, pattern, pattern.equals(routesPattern(settings)) || usesQuartz(pattern));
        if (routeIds.length > 0) main.addOverrideProperty("camel.main.jmxEnabled", "false");
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the routes: " + rootMessage(e), e);
        }
        if (main.getCamelContext() == null || main.getCamelContext().getRoutes().isEmpty()) {
            main.stop();
            throw new ConfigException("no routes loaded from " + routesPattern(settings) + " (factory.routes-dir)");
        }
        return new Flows(main);
    }

    /**
     * file:&lt;home&gt;/routes/*.camel.yaml when the installation has that directory (operators edit it;
     * a relative factory.routes-dir is under the installation, never the working directory), else the
     * copy inside the jar.
     */
    public static String routesPattern(Settings settings) {
        String configured = settings.get("factory.routes-dir", "routes");
        Path dir = settings.inHome(configured);
        if (Files.isDirectory(dir)) return "file:" + dir + "/*.camel.yaml";
        if (configured.equals("routes")) return "classpath:routes/*.camel.yaml";
        throw settings.invalid("factory.routes-dir", "an existing directory of *.camel.yaml route files (a relative one is under "
                + settings.home() + ")");
    }

    /**
     * The route files the flows {@code routeIds} need, as a Camel include pattern (comma-separated
     * files); the whole directory's pattern when that cannot be told.
     */
    static String routesPattern(Settings settings, List<String> routeIds) {
        String all = routesPattern(settings);
        try {
            Map<String, String> files = new LinkedHashMap<>();
            if (all.startsWith("file:")) {
                Path dir = Path.of(all.substring("file:".length())).getParent();
                try (Stream<Path> list = Files.list(dir)) {
                    for (Path p : list.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList()) {
                        files.put("file:" + p, Files.readString(p));
                    }
                }
            } else {
                for (String name : RouteFiles.classpathFiles()) {
                    try (InputStream in = Flows.class.getClassLoader().getResourceAsStream("routes/" + name)) {
                        if (in == null) return all;
                        files.put("classpath:routes/" + name, RouteFiles.text(in));
                    }
                }
            }
            return RouteFiles.needed(files, routeIds).map(l -> String.join(",", l)).orElse(all);
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(Flows.class).debug("loading every route file: {}", e.toString());
            return all;
        }
    }

    /** Whether any of the route files of a comma-separated list of file: or classpath: names mentions quartz. */
    private static boolean usesQuartz(String pattern) {
        for (String f : pattern.split(",")) {
            try (InputStream in = f.startsWith("file:") ? Files.newInputStream(Path.of(f.substring("file:".length())))
                    : Flows.class.getClassLoader().getResourceAsStream(f.substring("classpath:".length()))) {
                if (in == null || RouteFiles.text(in).contains("quartz:")) return true;
            } catch (IOException | RuntimeException e) {
                return true;
            }
        }
        return false;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /**
     * Runs one flow synchronously and returns its result body; a failed flow throws its exception.
     */
    public Object run(String routeId, Map<String, Object> headers, ProgressListener progress) throws Exception {
        return run(routeId, headers, progress, null);
    }

    /** Runs one flow with the given body. */
    public Object run(String routeId, Map<String, Object> headers, ProgressListener progress, Object body) throws Exception {
        return runForMessage(routeId, headers, progress, body).getBody();
    }

    /** Runs one flow and returns its last message: the body and the headers its steps left (a verdict, say). */
    public org.apache.camel.Message runForMessage(String routeId, Map<String, Object> headers, ProgressListener progress, Object body)
            throws Exception {
        CamelContext ctx = context();
        if (ctx.getRoute(routeId) == null) {
            throw new ConfigException("route " + routeId + " is not defined in " + main.configure().getRoutesIncludePattern());
        }
        try (ProducerTemplate t = ctx.createProducerTemplate()) {
            Exchange ex = t.send("direct:" + routeId, e -> {
                e.getIn().setHeaders(new java.util.HashMap<>(headers));
                if (body != null) e.getIn().setBody(body);
                e.setProperty(PROGRESS, progress);
            });
            if (ex.getException() != null) throw ex.getException();
            return ex.getMessage();
        }
    }

    @Override
    public void close() {
        main.stop();
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
