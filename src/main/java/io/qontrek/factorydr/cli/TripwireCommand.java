package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Settings;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code factory-dr tripwire list|ack}: what backups found when they saw the runtime shrink, and the
 * operator's acknowledgement, recorded in the catalog, which lets retention go back to its policy for
 * the backup each one held.
 */
@Command(name = "tripwire", description = "Findings of backups that saw the runtime shrink (a lower proof or ledger head, "
        + "proof files gone, a database or archive under half its previous size, a full under the size floor). "
        + "Retention keeps the backup taken before each until it is acknowledged.")
final class TripwireCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "list", description = "The findings not yet acknowledged, by the backup that raised them.")
    int list(@Option(names = "--all", description = "Acknowledged findings too.") boolean all) {
        Catalog catalog = catalog(app.settings());
        List<Catalog.Tripwire> rows = catalog.tripwires(all);
        if (app.json) {
            Output.json(rows.stream().map(TripwireCommand::json).toList());
            return FactoryDr.OK;
        }
        if (rows.isEmpty()) {
            Output.out().println(all ? "no tripwire was ever raised" : "no unacknowledged tripwire");
            return FactoryDr.OK;
        }
        print(rows);
        return FactoryDr.OK;
    }

    @Command(name = "ack", description = "Acknowledge a backup's tripwire (the shrink is understood): retention may then "
            + "let go of the backup it held.")
    int ack(@Parameters(paramLabel = "BACKUP_ID", description = "The backup that raised it (see 'factory-dr tripwire list').")
            String backupId) {
        Settings settings = app.settings();
        Catalog catalog = catalog(settings);
        List<Catalog.Tripwire> rows = catalog.tripwiresOf(backupId);
        if (rows.isEmpty()) {
            List<String> open = catalog.tripwires(false).stream().map(Catalog.Tripwire::backupId).distinct().toList();
            throw new ConfigException("the catalog " + catalog.file() + " has no tripwire of '" + backupId + "'; "
                    + (open.isEmpty() ? "none is unacknowledged" : "unacknowledged: " + String.join(", ", open)));
        }
        int acked = catalog.acknowledgeTripwires(backupId, Instant.now(settings.clock()));
        String held = rows.get(0).held();
        List<String> stillHeldBy = held == null ? List.of() : catalog.tripwires(false).stream()
                .filter(t -> held.equals(t.held())).map(Catalog.Tripwire::backupId).distinct().toList();
        if (app.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("backup_id", backupId);
            o.put("acknowledged", acked);
            o.put("held", held);
            o.put("still_held_by", stillHeldBy);
            o.put("tripwires", catalog.tripwiresOf(backupId).stream().map(TripwireCommand::json).toList());
            Output.json(o);
            return FactoryDr.OK;
        }
        if (acked == 0) {
            Output.out().println("the tripwire of " + backupId + " was already acknowledged (" + rows.get(0).ackedAt() + ")");
        } else {
            Output.out().println("acknowledged " + acked + " finding" + (acked == 1 ? "" : "s") + " of " + backupId
                    + (held == null ? "" : stillHeldBy.isEmpty() ? "; retention may let go of " + held + " again"
                    : "; " + held + " stays held by the tripwire of " + String.join(", ", stillHeldBy)));
        }
        return FactoryDr.OK;
    }

    /** The findings grouped by the backup that raised them, each group with what it holds. */
    static void print(List<Catalog.Tripwire> rows) {
        String current = null;
        for (int i = 0; i < rows.size(); i++) {
            Catalog.Tripwire t = rows.get(i);
            if (!t.backupId().equals(current)) {
                current = t.backupId();
                Output.out().println(t.backupId() + " (" + t.raisedAt() + ")");
            }
            Output.out().println("  " + t.finding());
            boolean last = i + 1 == rows.size() || !rows.get(i + 1).backupId().equals(current);
            if (last) Output.out().println("  -> " + t.hold());
        }
    }

    private static Map<String, Object> json(Catalog.Tripwire t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backup_id", t.backupId());
        m.put("raised_at", t.raisedAt());
        m.put("finding", t.finding());
        m.put("held", t.held());
        m.put("acked_at", t.ackedAt());
        return m;
    }

    /** The catalog; with no archive directory, the root must exist (a mistyped root is not "no tripwires"). */
    private static Catalog catalog(Settings settings) {
        RuntimeLayout layout = RuntimeLayout.of(settings);
        if (!Files.isDirectory(layout.archiveDir())) RuntimeLayout.requireDir(layout.root(), "runtime root (factory.root)");
        return new Catalog(layout.catalogDb());
    }
}
