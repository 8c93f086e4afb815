package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.camel.SettingsCheck;
import io.qontrek.factorydr.common.SqliteNativeLibrary;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.offsite.OffsiteException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code factory-dr}: backup and disaster recovery for the factory runtime. */
@Command(name = "factory-dr", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "factory-dr 0.1.0",
        description = "Backup and disaster recovery for the factory runtime.")
public final class FactoryDr implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    /** The commands, in the order help lists them. */
    static final List<Class<?>> COMMANDS = List.of(
            ServeCommand.class, StatusCommand.class, BackupCommand.class, ListCommand.class, RestoreCommand.class, VerifyCommand.class,
            RebuildCommand.class, PanicCommand.class, DrillCommand.class,
            RetentionCommand.class, TripwireCommand.class, CatalogCommand.class, SampleRuntimeCommand.class, OffsiteCommand.class,
            KeysCommand.class);

    @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "The runtime root (FACTORY_ROOT).")
    String root;

    @Option(names = "--archive-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Where archives are written (FACTORY_ARCHIVE_DIR; default <root>/archive).")
    String archiveDir;

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Properties file (FACTORY_CONFIG; default <FACTORY_HOME>/config/application.properties).")
    Path config;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Machine-readable output.")
    boolean json;

    final Map<String, String> env;

    FactoryDr(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required");
    }

    /** Settings from the file, the environment and this command line, validated. */
    Settings settings() {
        Map<String, String> overrides = new HashMap<>();
        if (root != null) overrides.put("factory.root", root);
        if (archiveDir != null) overrides.put("factory.archive-dir", archiveDir);
        return SettingsCheck.validate(Settings.load(config, env, overrides));
    }

    Secrets secrets() {
        return new Secrets(env);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /** Runs one command line and returns its exit status. */
    public static int run(String[] args, Map<String, String> env) {
        configureLogging(env);
        SqliteNativeLibrary.useExtractedCopy();
        CommandLine cl = new CommandLine(new FactoryDr(env));
        for (Class<?> command : commandsFor(args)) cl.addSubcommand(command);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(java.time.LocalDate.class, FactoryDr::date);
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("factory-dr: " + ex.getMessage() + " (see 'factory-dr " + subcommandPath(ex.getCommandLine()) + "--help')");
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex, cmd));
        return cl.execute(args);
    }

    /**
     * The commands to build: only the one the command line names, when it names one. picocli reads a
     * command's annotations by reflection as it is added, about 0.1 s for all of them on every start,
     * which is a tenth of an incremental. Help, a mistyped command or none at all get every command, so
     * that help lists them all and a typo gets its suggestion.
     */
    static List<Class<?>> commandsFor(String[] args) {
        String word = commandWord(args);
        for (Class<?> command : COMMANDS) {
            if (command.getAnnotation(Command.class).name().equals(word)) return List.of(command);
        }
        return COMMANDS;
    }

    /** The first word that is neither an option nor the value of a global option given apart from it. */
    private static String commandWord(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--root") || arg.equals("--archive-dir") || arg.equals("--config")) {
                i++;
            } else if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }

    /** A calendar day, YYYY-MM-DD; anything else is a usage error that says what was expected. */
    static java.time.LocalDate date(String text) {
        try {
            return java.time.LocalDate.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a day of the form YYYY-MM-DD");
        }
    }

    /** A --date that may also say "latest": anything else is a usage error (exit 2) naming the value. */
    static void requireDayOrLatest(String text) {
        if (text == null || text.equals("latest")) return;
        try {
            date(text);
        } catch (CommandLine.TypeConversionException e) {
            throw new ConfigException("--date: " + e.getMessage() + ", or 'latest'");
        }
    }

    private static String subcommandPath(CommandLine cl) {
        StringBuilder sb = new StringBuilder();
        for (CommandLine c = cl; c.getParent() != null; c = c.getParent()) sb.insert(0, c.getCommandName() + " ");
        return sb.toString();
    }

    /** One line on stderr, the whole story in the log, and the exit status the failure deserves. */
    static int report(Exception ex, CommandLine cmd) {
        Logger log = LoggerFactory.getLogger(FactoryDr.class);
        Terminal.endProgress();
        Failure f = failure(ex, subcommandPath(cmd).trim());
        log.error("{} (exit {})", f.message(), f.status(), ex);
        PrintWriter err = cmd.getErr();
        err.println("factory-dr: " + f.message());
        err.flush();
        return f.status();
    }

    /** How a command ends when it fails: its exit status and the one line that says why. */
    record Failure(int status, String message) {}

    /** The exit status and message that a failure of {@code command} ("backup full") deserves. */
    static Failure failure(Throwable ex, String command) {
        ConfigException config = find(ex, ConfigException.class);
        ArchiveException archive = find(ex, ArchiveException.class);
        io.qontrek.factorydr.verify.VerificationFailed verification = find(ex, io.qontrek.factorydr.verify.VerificationFailed.class);
        io.qontrek.factorydr.restore.RestoreException restore = find(ex, io.qontrek.factorydr.restore.RestoreException.class);
        OffsiteException offsite = find(ex, OffsiteException.class);
        if (config != null) return new Failure(USAGE, config.getMessage());
        if (verification != null) return new Failure(FAILED, verification.getMessage());
        if (restore != null) return new Failure(FAILED, command + " failed: " + restore.getMessage());
        if (archive != null) return new Failure(FAILED, "verification failed: " + archive.getMessage());
        // names the bucket and endpoint and says what became of the local archive
        if (offsite != null) return new Failure(FAILED, offsite.getMessage());
        return new Failure(FAILED, command + " failed: " + describe(ex));
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }

    /**
     * The innermost message, which is where the operator-facing words are; an I/O exception's own
     * message is kept, as ours name the file ("cannot spill to X: No space left on device").
     */
    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c && c.getMessage() != null
                && c.getCause().getMessage() != null && !(c instanceof java.io.IOException || ownIoMessage(c))) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** An UncheckedIOException with words of its own, not just its cause's {@code toString()}. */
    private static boolean ownIoMessage(Throwable t) {
        return t instanceof java.io.UncheckedIOException && !t.getMessage().equals(t.getCause().toString());
    }

    /** Where the log goes (FACTORY_LOG_FILE) must be known before the first logger exists. */
    private static void configureLogging(Map<String, String> env) {
        String file = env.get("FACTORY_LOG_FILE");
        if (file != null && !file.isBlank() && System.getProperty("factorydr.log.file") == null) {
            System.setProperty("factorydr.log.file", file);
        }
    }
}
