package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.recovery.DrillRun;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr drill}: the runbook's quarterly DR drill, in a staging copy, with a signed drill proof. */
@Command(name = "drill", description = {
    "The DR drill, in a staging copy (never the live runtime): restore latest, simulate the disaster,",
    "recover (restore --verify, panic recover), check the runbook's outcomes, emit a signed drill proof",
    "(archive/recovery-proofs/drill-<stamp>.json) with RTO and RPO. Exit 1 naming a failed outcome."})
final class DrillCommand implements Callable<Integer> {
    @ParentCommand
    FactoryDr app;

    @Option(names = "--staging", paramLabel = "DIR",
            description = "Stage here (new or empty, outside the live runtime) and keep it; default a scratch directory deleted afterwards.")
    Path staging;

    @Override
    public Integer call() throws Exception {
        Settings settings = app.settings();
        Secrets secrets = app.secrets().require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET, Secrets.TOWER_SECRET);
        io.qontrek.factorydr.signing.SigningKey.configured(secrets.signingKeyFile()); // fail closed: the drill proof gets its .sig
        RuntimeLayout.of(settings).requireArchive();
        DrillRun run = new DrillRun(staging);
        // the drill's beans send its restore and panic-recover steps to those flows (RecoveryBeans)
        try (Flows flows = Flows.start(settings, secrets, "drill-quarterly", "restore", "panic-recover")) {
            flows.run("drill-quarterly", Map.of(), Terminal.progress("drill"), run);
        } catch (Exception e) {
            if (run.proofFile != null) print(run);
            throw e;
        } finally {
            Terminal.endProgress();
        }
        print(run);
        return FactoryDr.OK;
    }

    private void print(DrillRun run) {
        if (app.json) {
            var o = Output.JSON.createObjectNode();
            o.put("drill_id", run.drillId);
            o.put("pass", run.passed());
            o.put("proof", run.proofFile.toString());
            o.put("staging", run.keepStaging ? run.staging.toString() : null);
            var arr = o.putArray("outcomes");
            for (String n : DrillProof.OUTCOMES) {
                CheckResult c = run.outcomes.getOrDefault(n, CheckResult.failed(n, "not reached"));
                arr.addObject().put("name", n).put("pass", c.pass()).put("detail", c.detail());
            }
            o.put("rto_millis", run.rtoMillis);
            Output.json(o);
            return;
        }
        var out = Output.out();
        out.printf("%s %s%n", run.drillId, run.passed() ? "passed" : "FAILED");
        for (String n : DrillProof.OUTCOMES) {
            CheckResult c = run.outcomes.getOrDefault(n, CheckResult.failed(n, "not reached"));
            out.printf("%s %s: %s%n", c.pass() ? "ok    " : "FAILED", n, c.detail());
        }
        if (run.rtoMillis >= 0) out.printf("RTO %.1f s (restore start to verified)%n", run.rtoMillis / 1000.0);
        out.println("drill proof: " + run.proofFile);
        if (run.keepStaging) out.println("staging copy kept: " + run.staging);
    }
}
