package io.qontrek.factorydr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README is what the operator on call reads, and every merge adds to it: these keep it short,
 * keep the detail it points to reachable, and keep docs/settings.md naming every property.
 */
class OperatorDocsTest {
    private static final Path README = Path.of("README.md");
    private static final Path DOCS = Path.of("docs");
    /** Issue 16: an operator on call cannot find Restore in a longer one. */
    private static final int README_MAX_LINES = 250;

    @Test
    void theReadmeFitsTheOperatorOnCall() throws Exception {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        assertThat(lines.size()).as("README.md lines (move detail to docs/)").isLessThanOrEqualTo(README_MAX_LINES);
        assertThat(lines).contains("## Quick start", "## Backup", "## Restore", "## Panic", "## Drill", "## When X happens, do Y");
    }

    @Test
    void theQuickStartKeepsItsTwoCommands() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        // .ci/run says it runs "the README's test command"; the first builds and serves the demo
        assertThat(readme).contains("\nmvn -B -q -DskipTests package && bin/factory-dr serve --demo ", "\n.ci/run ");
    }

    @Test
    void settingsNamesEveryPropertyOfTheConfigurationFile() throws Exception {
        Properties properties = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("config/application.properties"), StandardCharsets.UTF_8)) {
            properties.load(r);
        }
        String settings = Files.readString(DOCS.resolve("settings.md"), StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (String key : properties.stringPropertyNames()) {
            // a schedule's row names both of its keys: `factory.schedule.<flow>.cron`, `.enabled`
            String scheduleRow = key.endsWith(".enabled") ? "`" + key.replaceFirst("\\.enabled$", ".cron") + "`, `.enabled`" : null;
            if (!settings.contains("`" + key + "`") && (scheduleRow == null || !settings.contains(scheduleRow))) missing.add(key);
        }
        assertThat(missing).as("properties of config/application.properties not in docs/settings.md").isEmpty();
    }

    @Test
    void everyRelativeLinkReachesItsFileAndHeading() throws Exception {
        List<Path> pages = new ArrayList<>(List.of(README));
        try (Stream<Path> s = Files.list(DOCS)) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            Matcher m = link.matcher(withoutCode(Files.readString(page, StandardCharsets.UTF_8)));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) continue;   // https:, mailto:
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path to = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(to)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (hash >= 0 && !headings(to).contains(target.substring(hash + 1))) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    private static String withoutCode(String markdown) {
        return markdown.replaceAll("(?s)```.*?```", "");
    }

    /** GitHub's anchors: lower case, punctuation but '-' and '_' dropped, spaces to '-'. */
    private static Set<String> headings(Path page) throws Exception {
        Set<String> out = new HashSet<>();
        for (String line : withoutCode(Files.readString(page, StandardCharsets.UTF_8)).split("\n")) {
            if (!line.matches("^#+ .*")) continue;
            String text = line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT);
            out.add(text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
        }
        return out;
    }
}
