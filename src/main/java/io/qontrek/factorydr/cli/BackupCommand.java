package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.camel.FlowBeans;
import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr backup full|incremental|proofs|alerts}: write one archive now, through its route. */
@Command(name = "backup", description = "Write an archive now (full, incremental, a day's proofs, a day's alerts).")
final class BackupCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "full", description = "Proof, config (secrets stripped), database snapshots and recent logs.")
    int full() throws Exception {
        return run("backup-full", null, "full backup");
    }

    @Command(name = "proofs", description = "One day's proof files and digest (default: yesterday, UTC).")
    int proofs(@Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "The day to archive.") LocalDate date)
            throws Exception {
        return run("proof-daily-archive", date, "daily proof archive");
    }

    @Command(name = "alerts", description = "One day's alert logs (default: yesterday, UTC).")
    int alerts(@Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "The day to archive.") LocalDate date)
            throws Exception {
        return run("alert-archive", date, "alert archive");
    }

    @Command(name = "incremental", description = "Proof files new or changed since the last backup.")
    int incremental() throws Exception {
        return run("backup-incremental", null, "incremental backup");
    }

    private int run(String routeId, LocalDate date, String what) throws Exception {
        Settings settings = app.settings();
        Secrets secrets = app.secrets().require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET);
        RuntimeLayout.requireDir(RuntimeLayout.of(settings).root(), "runtime root (factory.root)");
        Map<String, Object> headers = new LinkedHashMap<>();
        if (date != null) headers.put(FlowBeans.DATE, date.toString());
        ProgressListener progress = Terminal.progress(what);
        Object result;
        try (Flows flows = Flows.start(settings, secrets, routeId)) {
            result = flows.run(routeId, headers, progress);
        } finally {
            Terminal.endProgress();
        }
        if (result instanceof StoredArchive a) {
            Output.archiveWritten(app, what, a);
        } else if (result instanceof BackupSet set) {
            Output.nothingToDo(app, what, set);
        }
        return FactoryDr.OK;
    }
}
