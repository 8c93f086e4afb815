package io.qontrek.factorydr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No two packages of factory-dr depend on each other, directly or through others: each package's
 * dependencies are read from its sources (imports and fully qualified names in code; comments and
 * string literals are not dependencies), and every strongly connected set of more than one package
 * is a cycle, named in the failure.
 */
class PackageCyclesTest {
    private static final String ROOT = "io.qontrek.factorydr.";
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.qontrek\\.factorydr\\.(\\w+)\\.(?:\\*|[A-Z])");

    @Test
    void thePackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> deps = dependencies(Path.of("src/main/java/io/qontrek/factorydr"));
        assertThat(deps).containsKeys("archive", "restore", "cli");
        assertThat(cycles(deps)).as("package cycles (each: its packages)").isEmpty();
    }

    /** The checker itself finds a cycle when there is one, and none in a chain. */
    @Test
    void aCycleIsFoundAndAChainIsNot() {
        assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"))))
                .containsExactly(List.of("a", "b", "c"));
        assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of()))).isEmpty();
    }

    static Map<String, Set<String>> dependencies(Path sources) throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String pkg = sources.relativize(f.getParent()).toString().replace('/', '.');
                if (pkg.isEmpty()) continue;
                Set<String> mine = deps.computeIfAbsent(pkg.split("\\.")[0], k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(code(Files.readString(f)));
                while (m.find()) {
                    if (!m.group(1).equals(pkg.split("\\.")[0])) mine.add(m.group(1));
                }
            }
        }
        return deps;
    }

    /** The source without comments, string, text block and character literals (a small scanner). */
    static String code(String java) {
        StringBuilder out = new StringBuilder(java.length());
        int i = 0;
        int n = java.length();
        while (i < n) {
            char c = java.charAt(i);
            if (java.startsWith("//", i)) {
                while (i < n && java.charAt(i) != '\n') i++;
            } else if (java.startsWith("/*", i)) {
                int end = java.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (java.startsWith("\"\"\"", i)) {
                int end = java.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && java.charAt(i) != c) i += java.charAt(i) == '\\' ? 2 : 1;
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    @Test
    void commentsAndStringsAreNoDependency() {
        assertThat(code("import a.B; // io.qontrek.factorydr.x.Y\n/* io.qontrek.factorydr.z.W */ String s = \"io.qontrek.factorydr.q.R\\\"\"; char c = '\\'';"))
                .doesNotContain("factorydr").contains("import a.B;");
    }

    /** Tarjan's strongly connected components of more than one package, each sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> deps) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String p : new TreeSet<>(deps.keySet())) {
            if (!index.containsKey(p)) connect(p, deps, index, low, stack, onStack, out, next);
        }
        return out;
    }

    private static void connect(String p, Map<String, Set<String>> deps, Map<String, Integer> index, Map<String, Integer> low,
            Deque<String> stack, Set<String> onStack, List<List<String>> out, int[] next) {
        index.put(p, next[0]);
        low.put(p, next[0]++);
        stack.push(p);
        onStack.add(p);
        for (String q : deps.getOrDefault(p, Set.of())) {
            if (!index.containsKey(q)) {
                connect(q, deps, index, low, stack, onStack, out, next);
                low.put(p, Math.min(low.get(p), low.get(q)));
            } else if (onStack.contains(q)) {
                low.put(p, Math.min(low.get(p), index.get(q)));
            }
        }
        if (low.get(p).equals(index.get(p))) {
            List<String> component = new ArrayList<>();
            String q;
            do {
                q = stack.pop();
                onStack.remove(q);
                component.add(q);
            } while (!q.equals(p));
            if (component.size() > 1) out.add(component.stream().sorted().toList());
        }
    }
}
