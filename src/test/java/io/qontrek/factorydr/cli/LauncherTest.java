package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/factory-dr's choice of JVM options, read from the command line it would run (FACTORY_PRINT_COMMAND). */
class LauncherTest {
    @TempDir Path tmp;

    private Cli.Result launch(String args) throws Exception {
        Path jar = Files.createFile(tmp.resolve("factory-dr-" + System.nanoTime() + ".jar"));
        Path launcher = Path.of("bin/factory-dr").toAbsolutePath();
        return Cli.sh(tmp, Map.of("FACTORY_DR_JAR", jar.toString(), "FACTORY_CDS", "off", "FACTORY_PRINT_COMMAND", "1"),
                "'" + launcher + "' " + args);
    }

    @Test
    void commandsBoundedByWhatChangedRunWithC1AloneWhereverTheGlobalOptionsStand() throws Exception {
        for (String args : new String[] {"backup incremental", "--root /r backup incremental", "--root=/r backup proofs --date 2025-10-01",
                "--config /c.properties --archive-dir /a list --json", "retention --dry-run", "catalog rebuild"}) {
            Cli.Result r = launch(args);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).as(args).contains("-XX:TieredStopAtLevel=1").contains("-Xmx288m").endsWith(args + "\n");
        }
    }

    @Test
    void commandsThatMoveTheWholeRuntimeKeepTheFullJit() throws Exception {
        // "--root backup" names a runtime called backup: the command is what follows
        for (String args : new String[] {"backup full", "--root /r backup full", "restore --date=latest", "verify proofs",
                "panic verify", "serve", "drill", "--root backup full"}) {
            Cli.Result r = launch(args);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).as(args).doesNotContain("TieredStopAtLevel").contains("-jar");
        }
    }

    @Test
    void aMissingJarIsOneLineAndExitTwo() throws Exception {
        Path launcher = Path.of("bin/factory-dr").toAbsolutePath();
        Cli.Result r = Cli.sh(tmp, Map.of("FACTORY_DR_JAR", tmp.resolve("gone.jar").toString()), "'" + launcher + "' list");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("factory-dr: no jar at " + tmp.resolve("gone.jar") + " (FACTORY_DR_JAR)\n");
    }
}
