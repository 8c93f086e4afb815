package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.recovery.PanicJob;
import io.qontrek.factorydr.recovery.PanicReport;
import io.qontrek.factorydr.recovery.RecoveryRefused;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr panic verify|recover}: the runbook's verifyRecovery and recoverPanic. */
@Command(name = "panic", description = "Check whether recovery from panic mode is safe, or recover (clear data/ATLAS_PANIC with a signed proof).")
final class PanicCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "verify", description = {
        "Every integrity check: proofs, digests, receipts, federation (with probe), databases, backup heads;",
        "the backup posture (rpo, full-backup, offsite, drill gates) as warnings, which never block.",
        "Exit 0 when recovery is safe, 1 when not (each check listed)."})
    int verify() throws Exception {
        run("panic-verify");
        return FactoryDr.OK;
    }

    @Command(name = "recover", description = {
        "Refuses while any integrity check fails; otherwise writes a signed resilience_ops proof",
        "(archive/recovery-proofs/resilience_ops_v1-<stamp>.json, keeping the panic's reason and the posture warnings)",
        "and removes data/ATLAS_PANIC."})
    int recover() throws Exception {
        PanicJob job = run("panic-recover");
        if (app.json) return FactoryDr.OK;
        Output.out().println(job.flagPresent
                ? "panic cleared: data/ATLAS_PANIC removed (reason: " + job.reason + ")"
                : "not in panic mode (no data/ATLAS_PANIC); nothing removed");
        Output.out().println("  resilience_ops proof: " + job.proofFile);
        return FactoryDr.OK;
    }

    private PanicJob run(String routeId) throws Exception {
        Settings settings = app.settings();
        Secrets secrets = app.secrets().require(Secrets.TOWER_SECRET);
        if (routeId.equals("panic-recover")) {
            secrets.require(Secrets.SIGNING_SECRET);
            io.qontrek.factorydr.signing.SigningKey.configured(secrets.signingKeyFile()); // fail closed: the proof gets its .sig
        }
        RuntimeLayout live = RuntimeLayout.of(settings).requireRuntime();
        PanicJob job = PanicJob.live(live);
        try (Flows flows = Flows.start(settings, secrets, routeId)) {
            flows.run(routeId, Map.of(), Terminal.progress(routeId), job);
        } catch (Exception e) {
            RecoveryRefused refused = FactoryDr.find(e, RecoveryRefused.class);
            if (refused != null) print(refused.report(), job);
            throw e;
        } finally {
            Terminal.endProgress();
        }
        print(job.report, job);
        return job;
    }

    private void print(PanicReport report, PanicJob job) {
        if (app.json) {
            var o = Output.JSON.createObjectNode();
            o.put("safe", report.safe());
            o.put("panic_flag", job.flagPresent);
            o.put("reason", job.reason);
            var arr = o.putArray("checks");
            for (CheckResult c : report.checks()) {
                arr.addObject().put("name", c.name()).put("pass", c.pass()).put("detail", c.detail());
            }
            var posture = o.putArray("posture");
            for (CheckResult c : job.posture) {
                posture.addObject().put("name", c.name()).put("pass", c.pass()).put("detail", c.detail());
            }
            var warnings = o.putArray("warnings");
            job.warnings().forEach(warnings::add);
            if (job.proofFile != null) o.put("proof", job.proofFile.toString());
            Output.json(o);
            return;
        }
        for (CheckResult c : report.checks()) Output.out().printf("%s %s: %s%n", c.pass() ? "ok    " : "FAILED", c.name(), c.detail());
        // the backup posture: worth fixing, never a reason to stay in panic mode
        for (CheckResult c : job.posture) Output.out().printf("%s %s: %s%n", c.pass() ? "ok    " : "WARN  ", c.name(), c.detail());
        Output.out().println(report.safe() ? "recovery is safe" + (job.warnings().isEmpty() ? ""
                : " (" + job.warnings().size() + " backup posture warning" + (job.warnings().size() == 1 ? "" : "s") + ")")
                : "recovery is NOT safe: " + report.failed().size() + " of " + report.checks().size() + " checks failed");
    }
}
