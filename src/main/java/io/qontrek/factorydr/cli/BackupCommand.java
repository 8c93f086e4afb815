package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.steps.FlowBeans;
import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.restore.RestoreStaging;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
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
        return run("backup-full", null, "full backup", RuntimeLayout::requireRuntime);
    }

    @Command(name = "proofs", description = "One day's proof files and digest (default: yesterday, UTC).")
    int proofs(@Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "The day to archive.") LocalDate date)
            throws Exception {
        return run("proof-daily-archive", date, "daily proof archive", RuntimeLayout::requireProofs);
    }

    @Command(name = "alerts", description = "One day's alert logs (default: yesterday, UTC).")
    int alerts(@Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "The day to archive.") LocalDate date)
            throws Exception {
        return run("alert-archive", date, "alert archive", RuntimeLayout::requireLogs);
    }

    @Command(name = "incremental", description = "Proof files new or changed since the last backup.")
    int incremental() throws Exception {
        return run("backup-incremental", null, "incremental backup", RuntimeLayout::requireProofs);
    }

    /** @param reads checks that what the flow reads is there (the collector checks it again, in the route) */
    private int run(String routeId, LocalDate date, String what, Consumer<RuntimeLayout> reads) throws Exception {
        Settings settings = app.settings();
        RuntimeLayout layout = RuntimeLayout.of(settings);
        RuntimeLayout.requireDir(layout.root(), "runtime root (factory.root)");
        ProgressListener progress = Terminal.progress(what);
        // a service running for this archive directory runs the flow: never beside its own scheduled run
        ServiceControl.Reply reply;
        try {
            reply = ServiceControl.ask(ServiceControl.socketPath(settings), routeId, date == null ? null : date.toString(), progress);
        } finally {
            Terminal.endProgress();
        }
        if (reply != null) return answered(reply, what);
        // with no archive directory yet, refused before the flow takes its locks and opens the catalog, so
        // that a runtime without its proof/ gets no archive/ made for it. Where one exists the flow refuses,
        // and records and alerts the failed run (an unmounted proof volume must show in `status`); and a
        // runtime a killed restore left half-swapped goes to the flow's sweep, which says what to run
        if (!Files.isDirectory(layout.archiveDir()) && !RestoreStaging.anyIn(layout)) reads.accept(layout);

        Secrets secrets = app.secrets().require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET);
        io.qontrek.factorydr.signing.SigningKey.configured(secrets.signingKeyFile()); // fail closed: every manifest gets its .sig
        Map<String, Object> headers = new LinkedHashMap<>();
        if (date != null) headers.put(FlowBeans.DATE, date.toString());
        Object result;
        try (Flows flows = Flows.start(settings, secrets, routeId)) {
            result = flows.run(routeId, headers, progress);
        } finally {
            Terminal.endProgress();
        }
        if (result instanceof StoredArchive a) {
            Output.archiveWritten(app, what, a, null);
        } else if (result instanceof BackupSet set) {
            Output.nothingToDo(app, what, set.backupId(), set.base(), null);
        }
        return FactoryDr.OK;
    }

    /** Prints what the service did, as if this command had done it, and says who did. */
    private int answered(ServiceControl.Reply reply, String what) throws Exception {
        Long pid = reply.servicePid();
        switch (reply.outcome()) {
            case "written" -> Output.archiveWritten(app, what, ServiceControl.written(reply), pid);
            case "nothing-to-do" -> Output.nothingToDo(app, what, reply.body().path("backup_id").asText(),
                    reply.body().path("base").isTextual() ? reply.body().path("base").asText() : null, pid);
            case "failed" -> {
                String message = reply.body().path("message").asText();
                int status = reply.body().path("exit").asInt(FactoryDr.FAILED);
                System.err.println("factory-dr: " + message + " (in the service, pid " + pid + ")");
                return status;
            }
            default -> { }
        }
        return FactoryDr.OK;
    }

    /** The command that runs a flow, as the operator types it. */
    static String commandOf(String routeId) {
        return switch (routeId) {
            case "backup-full" -> "backup full";
            case "backup-incremental" -> "backup incremental";
            case "proof-daily-archive" -> "backup proofs";
            case "alert-archive" -> "backup alerts";
            default -> routeId;
        };
    }
}
