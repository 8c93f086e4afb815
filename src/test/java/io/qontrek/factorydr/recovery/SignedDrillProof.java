package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.proofs.RecoveryProofs;

import io.qontrek.factorydr.config.RuntimeLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Drill proofs as the drill flow writes them, without running a drill: a {@link DrillRun} with every
 * outcome decided, emitted, signed and written by {@link DrillProof#emit} into the runtime's
 * archive/recovery-proofs/.
 */
public final class SignedDrillProof {
    private SignedDrillProof() {}

    /** A passed drill that finished at {@code finishedAt}. */
    public static Path passed(RuntimeLayout live, Instant finishedAt, byte[] signingSecret) throws Exception {
        return write(live, finishedAt, null, signingSecret);
    }

    /** A drill whose outcome {@code failed} failed (the others passed). */
    public static Path failed(RuntimeLayout live, Instant finishedAt, String failed, byte[] signingSecret) throws Exception {
        return write(live, finishedAt, failed, signingSecret);
    }

    private static Path write(RuntimeLayout live, Instant finishedAt, String failed, byte[] signingSecret) throws Exception {
        DrillRun run = new DrillRun(null);
        run.live = live;
        run.startedAt = finishedAt.minusSeconds(90);
        run.drillId = "drill-" + RecoveryProofs.stamp(run.startedAt);
        run.rtoMillis = 42_000;
        for (String name : DrillProof.OUTCOMES) {
            run.outcomes.put(name, name.equals(failed) ? CheckResult.failed(name, "staged " + name + " did not hold")
                    : CheckResult.passed(name, name + " held"));
        }
        run.archives.add(new DrillRun.ArchiveUsed("full-20251001T030000Z", "full/20251001T030000Z.tar.gz.enc", "0".repeat(64)));
        return DrillProofWriter.emit(run, new DrillProof.Objectives(Duration.ofMinutes(30), Duration.ofMinutes(60)), signingSecret,
                finishedAt);
    }
}
