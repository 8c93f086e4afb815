package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.restore.CatalogRebuilder;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr catalog rebuild}: losing the catalog loses nothing. */
@Command(name = "catalog", description = "Maintain the backup catalog.")
final class CatalogCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "rebuild", description = "Rebuild the catalog from the signed manifests in the archive directory.")
    int rebuild(@Option(names = "--from", defaultValue = "local", paramLabel = "local|s3") String from) throws Exception {
        if (!from.equals("local") && !from.equals("s3")) throw new ConfigException("--from must be local or s3, not '" + from + "'");
        var settings = app.settings();
        if (from.equals("s3") && !settings.getBoolean("factory.s3.enabled")) {
            throw new ConfigException("--from=s3 needs offsite copies configured (factory.s3.enabled=true, FACTORY_S3_*)");
        }
        Secrets secrets = app.secrets().require(Secrets.SIGNING_SECRET);
        if (from.equals("local")) {
            // from S3 onto a new machine the archive directory may be new; locally it holds what is rebuilt
            RuntimeLayout.of(settings).requireArchiveDir();
        }
        CatalogRebuilder.Result r;
        String route = from.equals("s3") ? "catalog-rebuild-s3" : "catalog-rebuild";
        try (Flows flows = Flows.start(settings, secrets, route)) {
            r = (CatalogRebuilder.Result) flows.run(route, Map.of(),
                    Terminal.progress("catalog rebuild"));
        }
        if (app.json) {
            Output.json(Map.of("from", from, "manifests", r.manifests(), "recorded", r.recorded(), "already_known",
                    r.alreadyKnown(), "problems", r.problems()));
        } else {
            Output.out().printf("catalog rebuilt from %s: %d manifests, %d recorded, %d already known%n", from,
                    r.manifests(), r.recorded(), r.alreadyKnown());
            for (String p : r.problems()) Output.out().println("  problem: " + p);
        }
        return r.problems().isEmpty() ? FactoryDr.OK : FactoryDr.FAILED;
    }
}
