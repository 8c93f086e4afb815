package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListCommandTest {
    @TempDir Path tmp;

    @Test
    void aMistypedRootIsAnErrorNotAnEmptyCatalog() throws Exception {
        Map<String, String> env = Cli.env(tmp);
        Path missing = tmp.resolve("no-such-runtime");
        Cli.Result r = Cli.run(env, "list", "--root=" + missing);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("factory-dr: runtime root (factory.root) " + missing + " does not exist\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aRuntimeWithoutBackupsHasNoArchives() throws Exception {
        Map<String, String> env = Cli.env(tmp);
        Path root = Files.createDirectories(tmp.resolve("runtime"));
        Cli.Result r = Cli.runAsOperator(env, "list", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("no archives in " + root.resolve("archive"));
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Cli.run(env, "list", "--json", "--root=" + root).out());
        assertThat(json.isArray()).isTrue();
        assertThat(json).isEmpty();
    }
}
