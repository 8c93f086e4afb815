package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.camel.FlowBeans;
import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

/** {@code factory-dr verify ...}: prove that archives and the runtime are whole. */
@Command(name = "verify", description = "Verify an archive, a restore set, or the runtime's chains.")
final class VerifyCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "archive", description = "Checksum sidecar, manifest signature, decryption, gzip, tar, every file's hash.")
    int archive(@Parameters(paramLabel = "FILE", description = "The archive (.tar.gz.enc).") Path file) throws Exception {
        if (!Files.isRegularFile(file)) throw new ConfigException("archive " + file + " does not exist");
        Secrets secrets = app.secrets().require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET);
        Object result;
        try (Flows flows = Flows.start(app.settings(), secrets)) {
            result = flows.run("verify-archive", Map.of(FlowBeans.ARCHIVE, file.toAbsolutePath().toString()),
                    Terminal.progress("verify"));
        } finally {
            Terminal.endProgress();
        }
        ArchiveVerifier.VerifyResult r = (ArchiveVerifier.VerifyResult) result;
        if (app.json) {
            Output.json(Map.of("archive", file.toString(), "verified", true, "files", r.files(), "bytes", r.bytes()));
        } else {
            Output.out().printf("archive verified: %s (%,d files, %.1f MB)%n", file, r.files(), r.bytes() / 1e6);
        }
        return FactoryDr.OK;
    }

    @Command(name = "backup", description = "Every archive of the restore set passes 'verify archive' (issue #3).")
    int backup(@Unmatched java.util.List<String> rest) {
        return PendingCommands.notYet(app, "verify backup", 3);
    }

    @Command(name = "proofs", description = "RFC 6962 roots and the proof chain (issue #3).")
    int proofs(@Unmatched java.util.List<String> rest) {
        return PendingCommands.notYet(app, "verify proofs", 3);
    }

    @Command(name = "receipts", description = "Tower receipt signatures and the receipt index (issue #3).")
    int receipts(@Unmatched java.util.List<String> rest) {
        return PendingCommands.notYet(app, "verify receipts", 3);
    }

    @Command(name = "digests", description = "Daily digest continuity (issue #3).")
    int digests(@Unmatched java.util.List<String> rest) {
        return PendingCommands.notYet(app, "verify digests", 3);
    }

    @Command(name = "federation", description = "Ledger chain and the anti-replay invariant (issue #3).")
    int federation(@Unmatched java.util.List<String> rest) {
        return PendingCommands.notYet(app, "verify federation", 3);
    }
}
