package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.steps.RouteEditsHealth;

import io.qontrek.factorydr.observe.Check;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * serve's reload of an edited route file, taken whole or refused whole. Camel's own reload swaps
 * the routes in first and finds out afterwards that one does not start (an invalid cron), leaving
 * the file's routes stopped. Here the edited file is first checked with the running text of every
 * other file ({@link RouteFileCheck}); only then are its routes replaced, and the routes it no longer
 * defines removed. A refused edit changes nothing: it is logged, and healthz is degraded, naming
 * the file and the error, until a good edit of that file arrives.
 *
 * <p>A file deleted, or left without any route, is refused too: an editor that replaces a file
 * deletes it first, and the schedules must not stop for that moment. A restart drops its routes.
 */
final class RouteEdits extends FileWatcherResourceReloadStrategy implements RouteEditsHealth {
    /** The registry name healthz looks this up by. */
    static final String BEAN = RouteEditsHealth.BEAN;
    private static final Logger LOG = LoggerFactory.getLogger(RouteEdits.class);
    private static final long SETTLE_MILLIS = 250;

    /** Why an edit of a file was refused; its text, so that a second event of the same write is not checked again. */
    record Refusal(Instant at, String error, String text) {}

    private final Path dir;
    /** Each file's text that the running routes were built from. */
    private final Map<Path, String> running = new TreeMap<>();
    /** Read by healthz while an edit is being checked, so not guarded by this object's lock. */
    private final Map<Path, Refusal> refused = new ConcurrentSkipListMap<>();
    /** The file whose routes are being replaced, or null. */
    private volatile Path swapping;

    RouteEdits(Path dir) {
        super(dir.toString());
        this.dir = dir;
        setFileFilter(f -> f.getName().endsWith(".camel.yaml"));
        setResourceReload((name, resource) -> edited(Path.of(name)));
    }

    @Override
    protected void doStart() throws Exception {
        synchronized (this) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                    running.put(p.toAbsolutePath().normalize(), Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        }
        super.doStart();
    }

    @Override
    protected String startupMessage(java.io.File dir) {
        return "Route edits in " + dir + " are checked, then taken whole or refused whole";
    }

    /** One file changed, appeared or went away. Never throws: a refusal is recorded instead. */
    synchronized void edited(Path changed) {
        Path file = changed.toAbsolutePath().normalize();
        String text = null;
        try {
            settle(file);
            text = read(file);
            if (text.equals(running.get(file))) {
                // the file is back to what runs (a broken edit undone, or a second event of one write)
                if (refused.remove(file) != null) LOG.info("route file {}: back to the running routes", file);
                return;
            }
            Refusal before = refused.get(file);
            if (before != null && text.equals(before.text())) return;
            if (definesNothing(text)) throw new IllegalArgumentException("it defines no route (a restart drops a file's routes)");
            Map<Path, String> after = new LinkedHashMap<>(running);
            after.put(file, text);
            List<String> ids = RouteFileCheck.check(getCamelContext(), after).get(file);
            swap(file, text, ids);
            running.put(file, text);
            refused.remove(file);
            LOG.info("route file {}: edit taken, routes replaced: {}", file, String.join(", ", ids));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();     // the service is stopping
        } catch (Exception e) {
            String error = oneLine(e);
            refused.put(file, new Refusal(Instant.now(), error, text));
            LOG.warn("route file {}: edit refused, every route keeps running as before: {}", file, error);
        }
    }

    /**
     * Waits until the file has stayed the same for a moment, so that a write is read whole: the
     * watcher reports a file as soon as it is truncated, before its new text is in.
     */
    private static void settle(Path file) throws IOException, InterruptedException {
        for (int i = 0; i < 40; i++) {
            String before = stamp(file);
            Thread.sleep(SETTLE_MILLIS);
            if (before.equals(stamp(file))) return;
        }
    }

    private static String stamp(Path file) throws IOException {
        try {
            return Files.size(file) + " " + Files.getLastModifiedTime(file).toInstant();
        } catch (NoSuchFileException e) {
            return "missing";
        }
    }

    /** No YAML document, or an empty list: nothing Camel would complain of, and nothing would run. */
    private static boolean definesNothing(String text) {
        try {
            Object doc = new Load(LoadSettings.builder().build()).loadFromString(text);
            return doc == null || doc instanceof List<?> l && l.isEmpty();
        } catch (RuntimeException e) {
            return false;   // not YAML: Camel's parser says where
        }
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("the file was deleted; its routes keep running until a restart");
        }
    }

    /**
     * Replaces the file's routes with those of {@code text}, and removes those it no longer defines.
     * Should that fail even so (a route that cannot start for a reason only its start shows), the
     * running text is swapped back in.
     */
    private void swap(Path file, String text, List<String> ids) throws Exception {
        CamelContext camel = getCamelContext();
        swapping = file;
        try {
            replace(camel, file, text, ids);
        } finally {
            swapping = null;
        }
    }

    private void replace(CamelContext camel, Path file, String text, List<String> ids) throws Exception {
        String before = running.get(file);
        try {
            load(camel, file, text);
        } catch (Exception e) {
            if (before != null) {
                try {
                    load(camel, file, before);
                } catch (Exception again) {
                    e.addSuppressed(again);
                    LOG.error("route file {}: the edit failed to start and the running routes could not be restored: {}",
                            file, oneLine(again));
                }
            }
            throw e;
        }
        Set<String> kept = Set.copyOf(ids);
        Set<String> madeBefore = new java.util.HashSet<>();
        for (RouteFiles.TemplatedRoute t : RouteFiles.templatedRoutes(before == null ? "" : before)) madeBefore.add(t.routeId());
        for (Route r : List.copyOf(camel.getRoutes())) {
            boolean ofFile = file.equals(RouteFileCheck.sourceFile(r.getSourceResource())) || madeBefore.contains(r.getRouteId());
            if (ofFile && !kept.contains(r.getRouteId())) {
                camel.getRouteController().stopRoute(r.getRouteId());
                camel.removeRoute(r.getRouteId());
                LOG.info("route file {}: route {} removed (no longer in the file)", file, r.getRouteId());
            }
        }
    }

    /**
     * The file's routes, route configurations and templates updated in place; then the routes it makes
     * from templates, which Camel's update leaves as they were, made again (each replaces its old self).
     */
    private static void load(CamelContext camel, Path file, String text) throws Exception {
        PluginHelper.getRoutesLoader(camel).updateRoutes(ResourceHelper.fromString("file:" + file, text));
        for (RouteFiles.TemplatedRoute t : RouteFiles.templatedRoutes(text)) {
            ((org.apache.camel.model.ModelCamelContext) camel).addRouteFromTemplate(t.routeId(), t.template(), t.parameters());
        }
    }

    /**
     * Degraded while any edit is refused (the files then say something the running routes do not), and
     * while a file's routes are being replaced: Camel replaces them one by one, so for a moment some
     * are missing.
     */
    @Override
    public Check check() {
        Path inSwap = swapping;
        if (inSwap != null) return Check.degraded("route-edits", "replacing the routes of " + inSwap);
        if (refused.isEmpty()) return Check.healthy("route-edits", "the running routes are those of the files in " + dir);
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Path, Refusal> r : refused.entrySet()) {
            parts.add(r.getKey() + ": edit refused at " + r.getValue().at() + ": " + r.getValue().error());
        }
        return Check.degraded("route-edits", String.join("; ", parts)
                + " (every route keeps running as loaded before; a corrected edit is taken)");
    }

    private static String oneLine(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 600; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m == null || m.isBlank() || sb.indexOf(m) >= 0) continue;
            if (sb.length() > 0) sb.append(": ");
            sb.append(m);
        }
        String s = (sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString()).replaceAll("\\s*[\\r\\n]+\\s*", " ");
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }
}
