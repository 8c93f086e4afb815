package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

/** The command line builds only the command it names, and help reaches every command whatever is typed. */
class CommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void aNamedCommandIsBuiltAloneWhereverTheGlobalOptionsStand() {
        assertThat(FactoryDr.commandsFor(new String[] {"--root", "/srv/runtime", "backup", "incremental"}))
                .containsExactly(BackupCommand.class);
        assertThat(FactoryDr.commandsFor(new String[] {"--root=/srv/runtime", "--json", "list"}))
                .containsExactly(ListCommand.class);
        assertThat(FactoryDr.commandsFor(new String[] {"--config", "verify", "verify", "proofs"}))
                .as("a global option's value that looks like a command").containsExactly(VerifyCommand.class);
    }

    @Test
    void helpATypoOrNoCommandBuildsThemAll() {
        for (String[] args : new String[][] {{}, {"--help"}, {"bakup", "full"}, {"--root", "/srv/runtime"}}) {
            assertThat(FactoryDr.commandsFor(args)).as(String.join(" ", args)).isEqualTo(FactoryDr.COMMANDS);
        }
    }

    @Test
    void helpListsEveryCommand() throws Exception {
        Cli.Result r = Cli.run(Cli.env(tmp), "--help");
        assertThat(r.exit()).as(r.toString()).isZero();
        for (Class<?> command : FactoryDr.COMMANDS) {
            assertThat(r.out()).contains("  " + command.getAnnotation(Command.class).name() + " ");
        }
    }

    @Test
    void everyCommandAndSubcommandAnswersHelp() throws Exception {
        Map<String, String> env = Cli.env(tmp);
        Cli.Result backup = Cli.run(env, "--root", tmp.toString(), "backup", "--help");
        assertThat(backup.exit()).as(backup.toString()).isZero();
        assertThat(backup.out()).startsWith("Usage: factory-dr backup").contains("incremental", "full", "proofs", "alerts");

        Cli.Result incremental = Cli.run(env, "backup", "incremental", "--help");
        assertThat(incremental.exit()).as(incremental.toString()).isZero();
        assertThat(incremental.out()).startsWith("Usage: factory-dr backup incremental");
    }

    @Test
    void aDateThatIsNoDayIsAUsageErrorWhereverLatestIsAlsoAllowed() throws Exception {
        for (String[] args : new String[][] {{"restore", "--date=2025-13-01"}, {"verify", "backup", "--date=2025-13-01"}}) {
            Cli.Result r = Cli.run(Cli.env(tmp), args);
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).contains("--date: '2025-13-01' is not a day of the form YYYY-MM-DD, or 'latest'");
        }
    }

    @Test
    void aMistypedCommandIsAUsageErrorThatPointsToHelp() throws Exception {
        Cli.Result r = Cli.runAsOperator(Cli.env(tmp), "bakup", "full");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("'bakup'", "factory-dr --help");
    }

    @Test
    void aFailureKeepsTheMessageOfOurIoExceptionThatNamesTheFile() {
        // as Camel hands it over: its wrapper, ours naming the file, the JDK's bare reason
        var full = new RuntimeException("java.io.UncheckedIOException: cannot spill to /mnt/small/rt: No space left on device",
                new java.io.UncheckedIOException("cannot spill to /mnt/small/rt: No space left on device",
                        new java.io.IOException("No space left on device")));
        assertThat(FactoryDr.failure(full, "restore").message())
                .isEqualTo("restore failed: cannot spill to /mnt/small/rt: No space left on device");
        var bare = new RuntimeException("wrapped", new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/x/proof")));
        assertThat(FactoryDr.failure(bare, "verify proofs").message()).isEqualTo("verify proofs failed: /x/proof");
        var plain = new RuntimeException("wrapped", new IllegalStateException("the innermost words"));
        assertThat(FactoryDr.failure(plain, "backup full").message()).isEqualTo("backup full failed: the innermost words");
    }
}
