package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.catalog.CatalogJson;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr list}: the backup catalog, oldest first. */
@Command(name = "list", description = "The backup catalog: every archive written, oldest first.")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    FactoryDr app;

    @Override
    public Integer call() {
        RuntimeLayout layout = RuntimeLayout.of(app.settings());
        // no archive directory: before any backup "no archives" is the answer, but with a mistyped
        // root it would read at 3 a.m. as "the backups are gone"
        if (!Files.isDirectory(layout.archiveDir())) RuntimeLayout.requireDir(layout.root(), "runtime root (factory.root)");
        Catalog catalog = new Catalog(layout.catalogDb());
        List<CatalogEntry> archives = catalog.archives();
        if (app.json) {
            Output.json(CatalogJson.archives(archives));
            return FactoryDr.OK;
        }
        if (archives.isEmpty()) {
            Output.out().println("no archives in " + layout.catalogDb());
            return FactoryDr.OK;
        }
        Output.out().printf("%-22s %-12s %-45s %8s %10s %s%n", "CREATED", "TYPE", "ARCHIVE", "FILES", "SIZE", "OFFSITE");
        for (CatalogEntry e : archives) {
            Output.out().printf("%-22s %-12s %-45s %8d %10s %s%n", e.createdAt(), e.type(), e.name(), e.files(),
                    human(e.size()), e.offsiteAt() == null ? "-" : e.offsiteAt());
        }
        // what retention holds back, and why: a backup that saw the runtime shrink (one small query)
        List<Catalog.Tripwire> open = catalog.tripwires(false);
        if (!open.isEmpty()) {
            Output.out().println();
            Output.out().println("unacknowledged tripwires (retention keeps the backup before each):");
            TripwireCommand.print(open);
        }
        return FactoryDr.OK;
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format("%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format("%.1f MiB", bytes / 1048576.0);
        return String.format("%.2f GiB", bytes / 1073741824.0);
    }
}
