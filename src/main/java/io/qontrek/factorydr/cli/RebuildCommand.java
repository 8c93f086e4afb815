package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.verify.Rebuild;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr rebuild nonces|receipts}: the runbook's rebuildNonceStore and rebuildReceiptIndex. */
@Command(name = "rebuild", description = "Rebuild the nonce store from the ledger, or the receipt index from the proof files.")
final class RebuildCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "nonces", description = "data/nonce_store.db from the ledger (stop the runtime first).")
    int nonces() throws Exception {
        return run("rebuild-nonces");
    }

    @Command(name = "receipts", description = "data/receipts.db from the proof files (stop the runtime first).")
    int receipts() throws Exception {
        return run("rebuild-receipts");
    }

    private int run(String routeId) throws Exception {
        RuntimeLayout.of(app.settings()).requireRuntime();
        Rebuild.Rebuilt r;
        try (Flows flows = Flows.start(app.settings(), app.secrets(), routeId)) {
            r = (Rebuild.Rebuilt) flows.run(routeId, Map.of(), Terminal.progress(routeId));
        }
        if (app.json) {
            Output.json(Map.of("database", r.database().toString(), "rows", r.rows(), "source_items", r.sourceItems()));
        } else {
            Output.out().printf("rebuilt %s: %,d rows from %,d source items%n", r.database(), r.rows(), r.sourceItems());
        }
        return FactoryDr.OK;
    }
}
