package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.recovery.DrillProofWriter;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.governance.GovernancePolicy;
import io.qontrek.factorydr.recovery.Drill;
import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.recovery.DrillRun;
import io.qontrek.factorydr.recovery.PanicJob;
import io.qontrek.factorydr.recovery.PanicRecovery;
import io.qontrek.factorydr.recovery.RecoveryChecks;
import io.qontrek.factorydr.proofs.RecoveryProofs;
import io.qontrek.factorydr.verify.Verification;
import io.qontrek.factorydr.recovery.RecoveryTarget;
import io.qontrek.factorydr.restore.RestoreJob;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The beans of routes/panic.camel.yaml (body: a {@link PanicJob}; none means the live runtime) and
 * routes/drill.camel.yaml (body: a {@link DrillRun}; none means a scratch staging copy).
 */
public final class RecoveryBeans {
    /** Thrown by drillRequirePassed: the drill ran and its proof is written, but an outcome failed. */
    static final class DrillFailed extends RuntimeException {
        DrillFailed(DrillRun run) {
            super(message(run));
        }

        private static String message(DrillRun run) {
            var f = run.firstFailed();
            long failed = DrillProof.OUTCOMES.stream().filter(n -> !run.outcomes.containsKey(n) || !run.outcomes.get(n).pass()).count();
            return "outcome " + f.name() + " failed: " + f.detail() + (failed > 1 ? " (" + failed + " outcomes failed)" : "")
                    + (run.proofFile == null ? "" : "; drill proof " + run.proofFile);
        }
    }

    /** Exchange property: the drill run, while the restore and panic-recover routes have their jobs as the body. */
    static final String DRILL_RUN = "factoryDrill";

    /** Header of verify-drill: the drill proof file. */
    public static final String DRILL_PROOF = "factoryDrillProof";

    private RecoveryBeans() {}

    static void bindAll(BiConsumer<String, Object> bind, Settings settings, RuntimeLayout layout, Catalog catalog,
            Secrets secrets, Supplier<Instant> now) {
        GovernancePolicy policy = GovernancePolicy.from(settings);
        DrillProof.Objectives objectives = new DrillProof.Objectives(
                Duration.ofMinutes(settings.getInt("factory.drill.rto-objective-minutes", 1, 24 * 60)),
                Duration.ofMinutes(settings.getInt("factory.drill.rpo-objective-minutes", 1, 7 * 24 * 60)));

        // panic: integrity checks -> posture (recorded, never blocking) -> (recover: require safe -> signed proof, clear the flag)
        bind.accept("panicCheck", (Processor) ex -> {
            PanicJob job = ex.getMessage().getBody(PanicJob.class);
            if (job == null) job = PanicJob.live(layout);
            job.startedAt = now.get();
            PanicRecovery.readFlag(job);
            job.report = RecoveryChecks.integrity(target(job, secrets, policy));
            ex.getMessage().setBody(job);
        });
        bind.accept("panicPosture", (Processor) ex -> {
            PanicJob job = panic(ex);
            job.posture = RecoveryChecks.posture(target(job, secrets, policy));
        });
        bind.accept("panicRequireSafe", (Processor) ex ->
                PanicRecovery.requireSafe(panic(ex), "recovery is not safe"));
        bind.accept("panicWriteProof", (Processor) ex ->
                PanicRecovery.writeProof(panic(ex), secrets.signingSecret(), now.get()));
        bind.accept("panicClearFlag", (Processor) ex -> PanicRecovery.clearFlag(panic(ex)));

        // drill: prepare -> (a) restore latest -> (b) disaster -> (c) recover -> (d) outcomes -> proof. The
        // restore and panic-recover routes run in between (drill.camel.yaml), on this exchange: the
        // drill run stays in a property while their jobs are the body.
        bind.accept("drillPrepare", (Processor) ex -> {
            DrillRun run = ex.getMessage().getBody(DrillRun.class);
            if (run == null) run = new DrillRun(null);
            Drill.prepare(run, layout, now.get());
            ex.setProperty(DRILL_RUN, run);
        });
        // the restore and panic-recover runs are theirs, recorded under their own names, as from the command line
        bind.accept("drillRestoreLatest", (Processor) ex -> {
            ex.getMessage().setBody(Drill.restoreLatest(drill(ex)));
            FailedRuns.begin(ex, "restore", now.get());
        });
        bind.accept("drillBackupRestored", (Processor) ex -> {
            FailedRuns.end(ex);
            Drill.backupRestored(drill(ex), ex.getMessage().getBody(RestoreJob.class));
        });
        bind.accept("drillSimulateDisaster", (Processor) ex ->
                Drill.simulateDisaster(drill(ex), catalog, secrets.towerSecret(), now.get()));
        bind.accept("drillRestoreAgain", (Processor) ex -> {
            ex.getMessage().setBody(Drill.restoreAgain(drill(ex)));
            FailedRuns.begin(ex, "restore", now.get());
        });
        bind.accept("drillFullRestoreVerified", (Processor) ex -> {
            FailedRuns.end(ex);
            Drill.fullRestoreVerified(drill(ex), ex.getMessage().getBody(RestoreJob.class));
        });
        bind.accept("drillRecoverPanic", (Processor) ex -> {
            ex.getMessage().setBody(Drill.recoverPanic(drill(ex)));
            FailedRuns.begin(ex, "panic-recover", now.get());
        });
        bind.accept("drillPanicRecovered", (Processor) ex -> {
            FailedRuns.end(ex);
            Drill.panicRecovered(drill(ex), ex.getMessage().getBody(PanicJob.class), secrets.signingSecret());
        });
        bind.accept("drillStepFailed", (Processor) ex -> {
            FailedRuns.end(ex);
            Drill.stepFailed(drill(ex), ex.getMessage().getBody(), ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
            // caught, and the drill goes on. Camel keeps the "failure handled" mark the restore's or
            // panic-recover's error handling left on the exchange, and would then skip the drill's own for
            // a later failure (no failed run recorded, no alert; FlowFailuresAlertTest): cleared.
            ex.getExchangeExtension().setFailureHandled(false);
        });
        bind.accept("drillCheckOutcomes", (Processor) ex -> {
            Drill.checkOutcomes(drill(ex), catalog, secrets.towerSecret(), secrets.signingSecret(), now.get(), policy);
            ex.getMessage().setBody(drill(ex));
        });
        bind.accept("drillEmitProof", (Processor) ex ->
                DrillProofWriter.emit(drill(ex), objectives, secrets.signingSecret(), now.get()));
        bind.accept("drillCleanUp", (Processor) ex -> {
            DrillRun run = drill(ex);
            if (run != null) Drill.cleanUp(run);
        });
        bind.accept("verifyDrillProof", (Processor) ex -> {
            java.nio.file.Path file = java.nio.file.Path.of(ex.getMessage().getHeader(DRILL_PROOF, String.class));
            DrillProof.Checked c;
            try {
                c = DrillProof.check(RecoveryProofs.read(file), secrets.signingSecret());
            } catch (java.io.IOException unreadable) {
                c = new DrillProof.Checked(false, false, "not a drill proof: " + unreadable.getMessage().replace('\n', ' '));
            }
            boolean ok = c.authentic() && c.drillPassed();
            String problem = !c.authentic() ? file.getFileName() + ": " + c.detail() : c.detail();
            ex.getMessage().setBody(new java.util.ArrayList<>(java.util.List.of(new Verification("drill", ok, 1,
                    ok ? java.util.List.of() : java.util.List.of(problem), ok ? c.detail() : "drill proof " + file.getFileName()
                            + (c.authentic() ? " is authentic; the drill failed" : " rejected"), java.util.Map.of()))));
        });
        bind.accept("drillRequirePassed", (Processor) ex -> {
            DrillRun run = drill(ex);
            if (!run.passed()) throw new DrillFailed(run);
        });
    }

    /** What a panic job's checks look at: its runtime, that runtime's catalog, the keys (signing: when set), its start. */
    private static RecoveryTarget target(PanicJob job, Secrets secrets, GovernancePolicy policy) {
        return new RecoveryTarget(job.runtime, new Catalog(job.runtime.catalogDb()), secrets.towerSecret(),
                secrets.has(Secrets.SIGNING_SECRET) ? secrets.signingSecret() : null, job.startedAt, policy);
    }

    private static PanicJob panic(Exchange ex) {
        return ex.getMessage().getBody(PanicJob.class);
    }

    private static DrillRun drill(Exchange ex) {
        return ex.getProperty(DRILL_RUN, DrillRun.class);
    }
}
