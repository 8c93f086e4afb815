package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An operator at 3 a.m. types the wrong --root. Every command that reads the archive says so in one
 * line with exit 2, and leaves nothing behind that a later run would take for state: no archive
 * directory, catalog, lock, scratch, staging or drill proof.
 */
class WrongRootCreatesNothingTest {
    static final List<List<String>> COMMANDS = List.of(
            List.of("restore", "--date=latest"),
            List.of("restore", "--date=latest", "--dry-run"),
            List.of("drill"),
            List.of("verify", "backup"),
            List.of("retention"),
            List.of("offsite", "catch-up"),
            List.of("catalog", "rebuild"));

    @ParameterizedTest(name = "--root is {0}")
    @ValueSource(strings = {"a directory that does not exist", "an empty directory", "a runtime without archives"})
    void everyCommandThatReadsTheArchiveRefusesAndCreatesNothing(String which, @TempDir Path tmp) throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path parent = Files.createDirectories(tmp.resolve("site"));
        Path root = parent.resolve("runtime");
        if (!which.contains("not exist")) Files.createDirectories(root);
        if (which.contains("without archives")) {
            for (String d : List.of("proof", "config", "data", "logs")) Files.createDirectories(root.resolve(d));
        }
        Map<String, String> env = new HashMap<>(Cli.env(logs));
        // offsite on and pointing nowhere: the archive check must come before any S3 call
        env.put("FACTORY_S3_ENABLED", "true");
        env.put("FACTORY_S3_BUCKET", "factory-dr-test");
        env.put("FACTORY_S3_ENDPOINT", "http://127.0.0.1:9");
        env.put("AWS_ACCESS_KEY_ID", "k");
        env.put("AWS_SECRET_ACCESS_KEY", "s");
        List<String> before = tree(parent);
        for (List<String> command : COMMANDS) {
            List<String> args = new java.util.ArrayList<>(command);
            args.add("--root=" + root);
            Cli.Result r = Cli.run(env, args.toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", command, r).isEqualTo(2);
            assertThat(r.err().lines()).as("%s: %s", command, r).hasSize(1);
            assertThat(r.err()).as("%s", command).contains(root.resolve("archive").toString()).contains("--root");
            assertThat(tree(parent)).as("%s left something behind", command).isEqualTo(before);
        }
    }

    @org.junit.jupiter.api.Test
    void serveOnARootThatDoesNotExistRefusesAndCreatesNothing(@TempDir Path tmp) throws Exception {
        Path parent = Files.createDirectories(tmp.resolve("site"));
        Path root = parent.resolve("runtime");
        Cli.Result r = Cli.run(Cli.env(Files.createDirectories(tmp.resolve("logs"))), "serve", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).contains("runtime root (factory.root) " + root + " does not exist");
        assertThat(tree(parent)).containsExactly("");
    }

    private static List<String> tree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
