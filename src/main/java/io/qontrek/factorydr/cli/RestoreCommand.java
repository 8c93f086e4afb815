package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.restore.RestoreJob;
import io.qontrek.factorydr.restore.RuntimeSwap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code factory-dr restore}: by date, latest, or one given archive; staged, verified, then swapped
 * in. Without --target it restores the live runtime directories: stop the runtime first.
 */
@Command(name = "restore", description = {
    "Restore by date, latest or one archive: verify the archives, stage, check, then swap in.",
    "Without --target it restores the live runtime (stop the runtime first)."})
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    FactoryDr app;

    static final class Source {
        @Option(names = "--date", paramLabel = "YYYY-MM-DD|latest", description = "The state at the end of that day (UTC), or the latest.")
        String date;

        @Option(names = "--archive", paramLabel = "FILE", description = "Restore this one archive.")
        Path archive;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--scope", defaultValue = "all", paramLabel = "all|proof|ledger|config",
            description = "What to restore (default ${DEFAULT-VALUE}).")
    String scope;

    @Option(names = "--verify", description = "Run every verifier on the staged runtime before swapping it in.")
    boolean verify;

    @Option(names = "--target", paramLabel = "DIR", description = "Restore into this runtime root instead of the live one.")
    Path target;

    @Option(names = "--dry-run", description = "Show what would be restored and what would change; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        RuntimeSwap.Scope parsedScope;
        try {
            parsedScope = RuntimeSwap.Scope.parse(scope);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        FactoryDr.requireDayOrLatest(source.date);
        if (source.archive != null && !Files.isRegularFile(source.archive)) {
            throw new ConfigException("archive " + source.archive + " does not exist");
        }
        Settings settings = app.settings();
        Secrets secrets = app.secrets().require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET);
        if (verify && parsedScope == RuntimeSwap.Scope.ALL) secrets.require(Secrets.TOWER_SECRET);
        RuntimeLayout live = RuntimeLayout.of(settings);
        if (source.archive == null) live.requireArchive();
        RuntimeLayout into = target == null ? live : RuntimeLayout.under(target.toAbsolutePath(), live.archiveDir());
        RestoreJob job = new RestoreJob(source.date, source.archive == null ? null : source.archive.toAbsolutePath(),
                parsedScope, verify, dryRun, into);
        try (Flows flows = Flows.start(settings, secrets, "restore")) {
            flows.run("restore", Map.of(), Terminal.progress("restore"), job);
        } finally {
            Terminal.endProgress();
        }
        Output.restored(app, job);
        return FactoryDr.OK;
    }
}
