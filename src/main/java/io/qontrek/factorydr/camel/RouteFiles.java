package io.qontrek.factorydr.camel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Which route files a one-shot command needs: the file defining the flow it runs, the files of the
 * flows that one sends to ({@code direct:<name>} anywhere in its steps or its error handling),
 * transitively, and the files defining the route configurations they name. A CLI command then
 * builds only those routes: a backup does not create the quartz schedules, the HTTP API or the
 * offsite routes it never calls (the service still loads every file).
 *
 * <p>A route template is needed by the files whose templated routes name it (the schedules: their
 * routes are fed by Quartz, so no command runs them). Conservative by construction: a file with
 * anything but routes, templates and named route configurations (beans, a route configuration
 * without an id, rests ...) is always included, since it
 * may apply to every route; a dynamic {@code direct:${...}}, a route configuration pattern, a file
 * that does not parse, or a flow no file defines gives no answer ({@link Optional#empty()}), and the
 * caller loads every file as before (so Camel reports a broken file or a missing route itself).
 */
final class RouteFiles {
    private static final Pattern DIRECT = Pattern.compile("direct:(?://)?([^?&\\s\"'}]*)");

    /** One route file: what it defines and what it refers to. */
    private record Info(boolean global, Set<String> consumers, Set<String> configurations, Set<String> sends,
                        Set<String> usesConfigurations, Set<String> templates, Set<String> usesTemplates, boolean dynamic) {}

    private RouteFiles() {}

    /**
     * The files (keys of {@code files}, in their order) that the flows {@code routeIds} need, or
     * empty when that cannot be told for sure.
     *
     * @param files route file name -> its YAML text
     */
    static Optional<List<String>> needed(Map<String, String> files, Collection<String> routeIds) {
        Map<String, Info> infos = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Info info = analyse(f.getValue());
            if (info == null || info.dynamic()) return Optional.empty();
            infos.put(f.getKey(), info);
        }
        Map<String, String> consumerFile = new HashMap<>();
        Map<String, String> configurationFile = new HashMap<>();
        Map<String, String> templateFile = new HashMap<>();
        for (Map.Entry<String, Info> e : infos.entrySet()) {
            for (String c : e.getValue().consumers()) {
                if (consumerFile.putIfAbsent(c, e.getKey()) != null) return Optional.empty();   // ambiguous
            }
            for (String c : e.getValue().configurations()) {
                if (configurationFile.putIfAbsent(c, e.getKey()) != null) return Optional.empty();
            }
            for (String t : e.getValue().templates()) {
                if (templateFile.putIfAbsent(t, e.getKey()) != null) return Optional.empty();
            }
        }
        Set<String> chosen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        for (Map.Entry<String, Info> e : infos.entrySet()) {
            if (e.getValue().global()) todo.add(e.getKey());
        }
        for (String id : routeIds) {
            String file = consumerFile.get(id);
            if (file == null) return Optional.empty();
            todo.add(file);
        }
        while (!todo.isEmpty()) {
            String file = todo.poll();
            if (!chosen.add(file)) continue;
            Info info = infos.get(file);
            for (String target : info.sends()) {
                String f = consumerFile.get(target);
                // a direct endpoint without a route here fails when called, as it would with every file loaded
                if (f != null) todo.add(f);
            }
            for (String c : info.usesConfigurations()) {
                String f = configurationFile.get(c);
                if (f == null) return Optional.empty();
                todo.add(f);
            }
            for (String t : info.usesTemplates()) {
                String f = templateFile.get(t);
                if (f == null) return Optional.empty();
                todo.add(f);
            }
        }
        List<String> ordered = infos.keySet().stream().filter(chosen::contains).toList();
        return Optional.of(ordered);
    }

    /** What one file defines and refers to; null when it is not a list of YAML DSL elements. */
    private static Info analyse(String yaml) {
        Object doc;
        try {
            Load load = new Load(LoadSettings.builder().setLabel("route file").build());
            doc = load.loadFromString(yaml);
        } catch (RuntimeException e) {
            return null;
        }
        if (doc == null) return new Info(false, Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), false);
        if (!(doc instanceof List<?> elements)) return null;
        boolean global = false;
        Set<String> consumers = new HashSet<>();
        Set<String> configurations = new HashSet<>();
        Set<String> sends = new HashSet<>();
        Set<String> uses = new HashSet<>();
        Set<String> templates = new HashSet<>();
        Set<String> usesTemplates = new HashSet<>();
        boolean[] dynamic = {false};
        for (Object element : elements) {
            if (!(element instanceof Map<?, ?> m) || m.size() != 1) return null;
            Map.Entry<?, ?> only = m.entrySet().iterator().next();
            String kind = String.valueOf(only.getKey());
            if (!(only.getValue() instanceof Map<?, ?> body)) {
                global = true;
                continue;
            }
            switch (kind) {
                case "route" -> {
                    String consumer = consumer(body.get("from"));
                    if (consumer == null) return null;
                    consumers.add(consumer);
                    if (!configurationsNamed(body, uses)) return null;
                    collectSends(body, sends, dynamic);
                    sends.remove(consumer);
                }
                case "routeTemplate" -> {
                    // not a route itself: the routes made from it (templatedRoute) are; one fed by direct:
                    // has a name only its parameters tell, so a direct: template is not analysed
                    Object route = body.get("route") instanceof Map<?, ?> r ? r : body;
                    String consumer = consumer(((Map<?, ?>) route).get("from"));
                    Object id = body.get("id");
                    if (consumer == null || !consumer.startsWith("uri:") || consumer.startsWith("uri:direct") || id == null) return null;
                    templates.add(id.toString());
                    if (!configurationsNamed((Map<?, ?>) route, uses)) return null;
                    collectSends(body, sends, dynamic);
                }
                case "templatedRoute" -> {
                    Object ref = body.get("routeTemplateRef");
                    if (ref == null) return null;
                    usesTemplates.add(ref.toString());
                    consumers.add("uri:template:" + ref + ":" + body.get("routeId"));
                    collectSends(body, sends, dynamic);
                }
                case "routeConfiguration" -> {
                    Object id = body.get("id");
                    if (id == null) {
                        global = true;      // applies to routes without a configuration id, wherever they are
                    } else {
                        configurations.add(id.toString());
                    }
                    collectSends(body, sends, dynamic);
                }
                default -> global = true;
            }
        }
        return new Info(global, consumers, configurations, sends, uses, templates, usesTemplates, dynamic[0]);
    }

    /** Adds the route configurations a route names to {@code uses}; false when that cannot be told (a pattern, a placeholder). */
    private static boolean configurationsNamed(Map<?, ?> route, Set<String> uses) {
        Object conf = route.get("routeConfigurationId");
        if (conf == null) return true;
        for (String c : conf.toString().split(",")) {
            c = c.trim();
            if (c.contains("*") || c.contains("{{")) return false;
            if (!c.isEmpty()) uses.add(c);
        }
        return true;
    }

    /** {@code from: {uri: direct:x ...}} -> "x"; another component (timer, quartz, http) -> its uri. */
    private static String consumer(Object from) {
        Object uri = from instanceof Map<?, ?> f ? f.get("uri") : from;
        if (uri == null) return null;
        String s = uri.toString();
        Matcher m = DIRECT.matcher(s);
        if (s.startsWith("direct:") && m.lookingAt()) return m.group(1);
        return "uri:" + s;
    }

    private static void collectSends(Object node, Set<String> sends, boolean[] dynamic) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                // a direct endpoint spelt other than "direct:<name>" (a "direct" key or a bare "direct"
                // uri with parameters) is not a form our files use: not analysable, so every file loads
                if ("direct".equals(e.getKey()) || "direct".equals(e.getValue())) dynamic[0] = true;
                collectSends(e.getValue(), sends, dynamic);
            }
        } else if (node instanceof List<?> l) {
            for (Object o : l) collectSends(o, sends, dynamic);
        } else if (node instanceof String s && s.contains("direct:")) {
            Matcher m = DIRECT.matcher(s);
            while (m.find()) {
                String name = m.group(1);
                if (name.isEmpty() || name.contains("$") || name.contains("{")) {
                    dynamic[0] = true;
                } else {
                    sends.add(name);
                }
            }
        }
    }

    /** A route a file makes from a template (templatedRoute): its id, its template, its parameters as written. */
    record TemplatedRoute(String routeId, String template, Map<String, Object> parameters) {}

    /**
     * The templated routes of a route file, in its order; none when it does not parse. Camel gives
     * these routes no source file, and makes them only when it first loads the file (an update of the
     * file's routes leaves them as they were), so the route edits make them themselves.
     */
    static List<TemplatedRoute> templatedRoutes(String yaml) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel("route file").build()).loadFromString(yaml);
        } catch (RuntimeException e) {
            return List.of();
        }
        List<TemplatedRoute> out = new java.util.ArrayList<>();
        if (!(doc instanceof List<?> elements)) return out;
        for (Object element : elements) {
            if (!(element instanceof Map<?, ?> m) || !(m.get("templatedRoute") instanceof Map<?, ?> t)) continue;
            Map<String, Object> parameters = new LinkedHashMap<>();
            if (t.get("parameters") instanceof List<?> ps) {
                for (Object p : ps) {
                    if (p instanceof Map<?, ?> pm && pm.get("name") != null) parameters.put(pm.get("name").toString(), String.valueOf(pm.get("value")));
                }
            }
            out.add(new TemplatedRoute(t.get("routeId") == null ? null : t.get("routeId").toString(),
                    String.valueOf(t.get("routeTemplateRef")), parameters));
        }
        return out;
    }

    /** The names of the route files inside the jar (routes/*.camel.yaml), sorted. */
    static List<String> classpathFiles() throws IOException {
        java.net.URL dir = RouteFiles.class.getClassLoader().getResource("routes/");
        if (dir == null) throw new IOException("no routes/ on the class path");
        List<String> names = new java.util.ArrayList<>();
        if (dir.getProtocol().equals("file")) {
            try (var list = java.nio.file.Files.list(java.nio.file.Path.of(java.net.URI.create(dir.toString())))) {
                list.forEach(p -> names.add(p.getFileName().toString()));
            }
        } else if (dir.openConnection() instanceof java.net.JarURLConnection jar) {
            jar.setUseCaches(true);
            var entries = jar.getJarFile().entries();
            while (entries.hasMoreElements()) {
                String n = entries.nextElement().getName();
                if (n.startsWith("routes/") && n.indexOf('/', "routes/".length()) < 0) names.add(n.substring("routes/".length()));
            }
        } else {
            throw new IOException("cannot list " + dir);
        }
        names.removeIf(n -> !n.endsWith(".camel.yaml"));
        names.sort(null);
        return names;
    }

    /** The text of a route file read from a stream (UTF-8). */
    static String text(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
