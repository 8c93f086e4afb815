package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.common.SqliteNativeLibrary;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.offsite.OffsiteException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code factory-dr}: backup and disaster recovery for the factory runtime. */
@Command(name = "factory-dr", mixinStandardHelpOptions = true, version = "factory-dr 0.1.0",
        description = "Backup and disaster recovery for the factory runtime.",
        subcommands = {
            ServeCommand.class, BackupCommand.class, ListCommand.class, RestoreCommand.class, VerifyCommand.class,
            RebuildCommand.class, PanicCommand.class, DrillCommand.class,
            RetentionCommand.class, CatalogCommand.class, SampleRuntimeCommand.class, OffsiteCommand.class
        })
public final class FactoryDr implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "The runtime root (FACTORY_ROOT).")
    String root;

    @Option(names = "--archive-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Where archives are written (FACTORY_ARCHIVE_DIR; default <root>/archive).")
    String archiveDir;

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Properties file (FACTORY_CONFIG; default config/application.properties).")
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
        return Settings.load(config, env, overrides).validate();
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

    /** A calendar day, YYYY-MM-DD; anything else is a usage error that says what was expected. */
    static java.time.LocalDate date(String text) {
        try {
            return java.time.LocalDate.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a day of the form YYYY-MM-DD");
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
        PrintWriter err = cmd.getErr();
        int status;
        String message;
        ConfigException config = find(ex, ConfigException.class);
        ArchiveException archive = find(ex, ArchiveException.class);
        io.qontrek.factorydr.verify.VerificationFailed verification = find(ex, io.qontrek.factorydr.verify.VerificationFailed.class);
        io.qontrek.factorydr.restore.RestoreException restore = find(ex, io.qontrek.factorydr.restore.RestoreException.class);
        OffsiteException offsite = find(ex, OffsiteException.class);
        if (config != null) {
            status = USAGE;
            message = config.getMessage();
        } else if (verification != null) {
            status = FAILED;
            message = verification.getMessage();
        } else if (restore != null) {
            status = FAILED;
            message = subcommandPath(cmd).trim() + " failed: " + restore.getMessage();
        } else if (archive != null) {
            status = FAILED;
            message = "verification failed: " + archive.getMessage();
        } else if (offsite != null) {
            // names the bucket and endpoint and says what became of the local archive
            status = FAILED;
            message = offsite.getMessage();
        } else {
            status = FAILED;
            message = subcommandPath(cmd).trim() + " failed: " + describe(ex);
        }
        log.error("{} (exit {})", message, status, ex);
        err.println("factory-dr: " + message);
        err.flush();
        return status;
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }

    /** The innermost message, which is where the operator-facing words are. */
    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c && c.getMessage() != null
                && c.getCause().getMessage() != null && !(c instanceof java.io.IOException)) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** Where the log goes (FACTORY_LOG_FILE) must be known before the first logger exists. */
    private static void configureLogging(Map<String, String> env) {
        String file = env.get("FACTORY_LOG_FILE");
        if (file != null && !file.isBlank() && System.getProperty("factorydr.log.file") == null) {
            System.setProperty("factorydr.log.file", file);
        }
    }
}
