package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes and configuration come from the installation (FACTORY_HOME, else the directory above the
 * code), never from the working directory; and an edit to the installation's routes/ or config/ is
 * what the next command runs, with no build in between.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstallationTest {
    /** A backup-full that fails at once, saying so: if it runs, the command's one line tells. */
    private static final String FAILING_BACKUP_FULL = """
            - route:
                id: backup-full
                from:
                  uri: direct:backup-full
                  steps:
                    - throwException:
                        exceptionType: java.lang.IllegalStateException
                        message: "%s"
            """;

    Path tmp;
    Path root;
    Map<String, String> env;

    @BeforeAll
    void runtime(@TempDir Path classTmp) throws Exception {
        tmp = classTmp;
        root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(50).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        env = Cli.env(tmp);
    }

    @Test
    void aCommandRunFromADirectoryHoldingRoutesAndConfigIgnoresBoth() throws Exception {
        Path elsewhere = tmp.resolve("elsewhere");
        Files.createDirectories(elsewhere.resolve("routes"));
        Files.createDirectories(elsewhere.resolve("config"));
        Files.writeString(elsewhere.resolve("routes/backup.camel.yaml"), FAILING_BACKUP_FULL.formatted("planted route ran"));
        Files.writeString(elsewhere.resolve("config/application.properties"), "factory.backup.gzip-threads=999\n");

        Cli.Result r = Cli.runIn(elsewhere, env, "backup", "full", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).doesNotContain("planted", "gzip-threads");
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            assertThat(s.filter(p -> p.toString().endsWith(".tar.gz.enc"))).as("the installation's backup-full ran").isNotEmpty();
        }

        // --config is the operator's explicit choice: a relative one is from the working directory, as any path argument
        r = Cli.runIn(elsewhere, env, "--config", "config/application.properties", "list", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("factory-dr: invalid factory.backup.gzip-threads='999' (from config/application.properties): "
                + "expected a whole number from 1 to 64\n");
    }

    @Test
    void editsToTheInstallationsRoutesAndConfigTakeEffectAtTheNextCommand() throws Exception {
        Path home = tmp.resolve("home");
        for (String dir : new String[] {"routes", "config"}) {
            Files.createDirectories(home.resolve(dir));
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                for (Path p : s.toList()) Files.copy(p, home.resolve(dir).resolve(p.getFileName()));
            }
        }
        Map<String, String> e = new HashMap<>(env);
        e.put("FACTORY_HOME", home.toString());
        Path archive = tmp.resolve("edit-archive");

        // the edited file wins over the copy the jar (here: the build's classes) carries
        Files.writeString(home.resolve("routes/backup.camel.yaml"), FAILING_BACKUP_FULL.formatted("edited in the installation"));
        Cli.Result r = Cli.run(e, "backup", "full", "--root=" + root, "--archive-dir=" + archive);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("factory-dr: backup full failed: edited in the installation\n");

        Path config = home.resolve("config/application.properties");
        Files.writeString(config, Files.readString(config) + "\nfactory.backup.gzip-threads=999\n");
        r = Cli.run(e, "list", "--root=" + root, "--archive-dir=" + archive);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("factory-dr: invalid factory.backup.gzip-threads='999' (from " + config + "): "
                + "expected a whole number from 1 to 64\n");

        e.put("FACTORY_HOME", tmp.resolve("no-such-home").toString());
        r = Cli.run(e, "list", "--root=" + root, "--archive-dir=" + archive);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("factory-dr: installation directory " + tmp.resolve("no-such-home")
                + " (from FACTORY_HOME) does not exist\n");
    }
}
