package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.steps.FlowBeans;
import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.verify.Verification;
import io.qontrek.factorydr.verify.VerificationFailed;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;

/** {@code factory-dr verify ...}: prove that archives and the runtime are whole. */
@Command(name = "verify", description = "Verify an archive, a restore set, or the runtime's chains.")
final class VerifyCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "archive", description = "Checksum sidecar, manifest signature, decryption, gzip, tar, every file's hash.")
    int archive(@Parameters(paramLabel = "FILE", description = "The archive (.tar.gz.enc).") Path file) throws Exception {
        if (!Files.isRegularFile(file)) throw new ConfigException("archive " + file + " does not exist");
        Secrets secrets = app.secrets().require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET);
        org.apache.camel.Message result;
        try (Flows flows = Flows.start(app.settings(), secrets, "verify-archive")) {
            result = flows.runForMessage("verify-archive", Map.of(FlowBeans.ARCHIVE, file.toAbsolutePath().toString()),
                    Terminal.progress("verify"), null);
        } finally {
            Terminal.endProgress();
        }
        ArchiveVerifier.VerifyResult r = result.getBody(ArchiveVerifier.VerifyResult.class);
        String ed25519 = result.getHeader("factoryEd25519", String.class);
        if (app.json) {
            Output.json(Map.of("archive", file.toString(), "verified", true, "files", r.files(), "bytes", r.bytes(),
                    "ed25519", String.valueOf(ed25519)));
        } else {
            Output.out().printf("archive verified: %s (%,d files, %.1f MB)%n", file, r.files(), r.bytes() / 1e6);
            Output.out().println("  " + ed25519);
        }
        return FactoryDr.OK;
    }

    /** Runs one verify route and prints its verifications; a failed one ends the flow with exit 1. */
    int runVerify(String routeId, Map<String, Object> headers, Secrets secrets) throws Exception {
        Object result;
        try (Flows flows = Flows.start(app.settings(), secrets, routeId)) {
            result = flows.run(routeId, headers, Terminal.progress(routeId));
        } catch (Exception e) {
            VerificationFailed failed = FactoryDr.find(e, VerificationFailed.class);
            if (failed != null) Output.verifications(app, List.of(failed.verification()));
            throw e;
        } finally {
            Terminal.endProgress();
        }
        @SuppressWarnings("unchecked")
        List<Verification> list = (List<Verification>) result;
        Output.verifications(app, list);
        return FactoryDr.OK;
    }

    @Command(name = "backup", description = "Every archive of the restore set for a date (default latest) passes 'verify archive'.")
    int backup(@Option(names = "--date", paramLabel = "YYYY-MM-DD|latest", defaultValue = "latest") String date) throws Exception {
        FactoryDr.requireDayOrLatest(date);
        RuntimeLayout.of(app.settings()).requireArchive();
        return runVerify("verify-backup", Map.of(FlowBeans.DATE, date),
                app.secrets().require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET));
    }

    @Command(name = "proofs", description = "RFC 6962 root of each proof, contiguous seqs, prev_root links.")
    int proofs(@Option(names = "--from", paramLabel = "YYYY-MM-DD") LocalDate from,
            @Option(names = "--to", paramLabel = "YYYY-MM-DD") LocalDate to) throws Exception {
        Map<String, Object> h = new HashMap<>();
        if (from != null) h.put("factoryFrom", from.toString());
        if (to != null) h.put("factoryTo", to.toString());
        if (from != null && to != null && from.isAfter(to)) throw new ConfigException("--from " + from + " is after --to " + to);
        return runVerify("verify-proofs", h, requireRuntime());
    }

    @Command(name = "receipts", description = "Each tower receipt's HMAC, and the receipt index agrees with the proof files.")
    int receipts() throws Exception {
        return runVerify("verify-receipts", Map.of(), requireRuntime().require(Secrets.TOWER_SECRET));
    }

    @Command(name = "digests", description = "Daily digests recompute and chain.")
    int digests() throws Exception {
        return runVerify("verify-digests", Map.of(), requireRuntime());
    }

    @Command(name = "federation", description = "Ledger hash chain; every ledger nonce in the nonce store.")
    int federation(@Option(names = "--probe", description = "Also send a test batch and a replay, rolled back.") boolean probe)
            throws Exception {
        return runVerify("verify-federation", Map.of("factoryProbe", probe), requireRuntime());
    }

    @Command(name = "drill", description = "A drill proof's signature, schema and outcomes; exit 1 when tampered or when the drill failed.")
    int drill(@Parameters(paramLabel = "FILE", description = "The drill proof (archive/recovery-proofs/drill-*.json).") Path file)
            throws Exception {
        if (!Files.isRegularFile(file)) throw new ConfigException("drill proof " + file + " does not exist");
        return runVerify("verify-drill", Map.of("factoryDrillProof", file.toAbsolutePath().toString()),
                app.secrets().require(Secrets.SIGNING_SECRET));
    }

    private Secrets requireRuntime() {
        RuntimeLayout.of(app.settings()).requireRuntime();
        return app.secrets();
    }
}
