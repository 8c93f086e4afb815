package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/factory-dr's choice of JVM options and of its installation, read from the command line it
 * would run (FACTORY_PRINT_COMMAND); and that it never builds.
 */
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
        for (String args : new String[] {"backup incremental", "--root /r backup incremental", "--root /r backup alerts", "--root=/r backup proofs --date 2025-10-01",
                "--config /c.properties --archive-dir /a list --json", "retention --dry-run"}) {
            Cli.Result r = launch(args);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).as(args).contains("-XX:TieredStopAtLevel=1").contains("-Xmx192m").endsWith(args + "\n");
        }
    }

    @Test
    void commandsThatMoveTheWholeRuntimeKeepTheFullJit() throws Exception {
        // "--root backup" names a runtime called backup: the command is what follows
        for (String args : new String[] {"backup full", "--root /r backup full", "restore --date=latest", "verify proofs",
                "panic verify", "serve", "drill", "--root backup full",
                "catalog rebuild --from=local"}) {
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

    @Test
    void anInstallationWithoutItsJarNamesTheBuildCommandAndBuildsNothing() throws Exception {
        Path home = installation("unbuilt");
        Cli.Result r = Cli.sh(tmp, withoutMaven(), "'" + home.resolve("bin/factory-dr") + "' list");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("factory-dr: no jar at " + home.resolve("target/factory-dr.jar")
                + ": build it first with: cd " + home + " && mvn -B -q -DskipTests package\n");
        assertThat(tmp.resolve("mvn-ran")).doesNotExist();
    }

    @Test
    void editedRoutesConfigAndSourcesBuildNothing() throws Exception {
        Path home = installation("edited");
        Path jar = Files.createFile(Files.createDirectories(home.resolve("target")).resolve("factory-dr.jar"));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        // what operators edit, and what a developer edits: every one newer than the jar
        for (String edited : new String[] {"routes/backup.camel.yaml", "config/application.properties", "pom.xml",
                "src/main/java/Edited.java"}) {
            Files.createDirectories(home.resolve(edited).getParent());
            Files.writeString(home.resolve(edited), "edited\n");
        }
        Cli.Result r = Cli.sh(tmp, withoutMaven(), "'" + home.resolve("bin/factory-dr") + "' list");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        assertThat(tmp.resolve("mvn-ran")).as("the launcher ran Maven").doesNotExist();
        assertThat(r.out()).contains("-Dfactory.home=" + home + " ").contains("-jar " + jar + " list");
    }

    @Test
    void theInstallationIsAboveBinThroughSymlinksOrFactoryHome() throws Exception {
        Path home = installation("linked");
        Files.createFile(Files.createDirectories(home.resolve("target")).resolve("factory-dr.jar"));
        Path link = Files.createSymbolicLink(tmp.resolve("factory-dr-link"), home.resolve("bin/factory-dr"));
        Cli.Result r = Cli.sh(tmp, withoutMaven(), "'" + link + "' list");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("-Dfactory.home=" + home + " ").contains("-jar " + home.resolve("target/factory-dr.jar"));

        Path other = installation("other");
        Files.createFile(Files.createDirectories(other.resolve("target")).resolve("factory-dr.jar"));
        Map<String, String> env = new HashMap<>(withoutMaven());
        env.put("FACTORY_HOME", other.toString());
        r = Cli.sh(tmp, env, "'" + link + "' list");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("-Dfactory.home=" + other + " ").contains("-jar " + other.resolve("target/factory-dr.jar"));

        env.put("FACTORY_HOME", tmp.resolve("nowhere").toString());
        r = Cli.sh(tmp, env, "'" + link + "' list");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("factory-dr: installation directory " + tmp.resolve("nowhere") + " (FACTORY_HOME) does not exist\n");
    }

    @Test
    void theClassDataTrainingRunsWithoutTheOperatorsJvmAndCamelVariables() throws Exception {
        // a java that records the training's environment and leaves an archive, so no JVM starts here
        Path fakeBin = Files.createDirectories(tmp.resolve("java-bin"));
        Path environment = tmp.resolve("training-environment");
        Path java = fakeBin.resolve("java");
        Files.writeString(java, "#!/bin/bash\nfor a; do case $a in -XX:ArchiveClassesAtExit=*) env > '" + environment
                + "'; echo archive > \"${a#*=}\";; esac; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.createFile(tmp.resolve("factory-dr.jar"));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", fakeBin + ":" + System.getenv("PATH"));
        env.put("FACTORY_DR_JAR", jar.toString());
        env.put("FACTORY_PRINT_COMMAND", "1");
        env.put("JAVA_TOOL_OPTIONS", "-Dfactory.test.pause-at=restore-staged");
        env.put("JDK_JAVA_OPTIONS", "-agentlib:jdwp=transport=dt_socket,server=y,address=5005");
        env.put("CAMEL_MAIN_ROUTESINCLUDEPATTERN", "file:/elsewhere/*.yaml");
        Cli.Result r = Cli.sh(tmp, env, "'" + Path.of("bin/factory-dr").toAbsolutePath() + "' list");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("preparing class-data sharing");
        assertThat(r.out()).as("the archive made is used").contains("-XX:SharedArchiveFile=");
        String training = Files.readString(environment);
        assertThat(training).contains("FACTORY_DR_JAR=").doesNotContain("JAVA_TOOL_OPTIONS").doesNotContain("JDK_JAVA_OPTIONS")
                .doesNotContain("CAMEL_MAIN");
    }

    /** A copy of this launcher in an installation of its own: bin/ and nothing built. */
    private Path installation(String name) throws Exception {
        Path home = tmp.resolve(name);
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.copy(Path.of("bin/factory-dr"), bin.resolve("factory-dr"), StandardCopyOption.COPY_ATTRIBUTES);
        return home;
    }

    /** A shell whose mvn only leaves a mark and fails: a launcher that builds is caught. */
    private Map<String, String> withoutMaven() throws Exception {
        Path fakeBin = Files.createDirectories(tmp.resolve("fake-bin"));
        Path mvn = fakeBin.resolve("mvn");
        if (!Files.exists(mvn)) {
            Files.writeString(mvn, "#!/bin/sh\ntouch '" + tmp.resolve("mvn-ran") + "'\nexit 1\n");
            Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return Map.of("PATH", fakeBin + ":" + System.getenv("PATH"), "FACTORY_CDS", "off", "FACTORY_PRINT_COMMAND", "1");
    }
}
