package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.proofs.RecoveryProofs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One panic verify or recover as it moves through routes/panic.camel.yaml: the runtime it looks at
 * (the live one, or a drill's staging copy), where its resilience_ops proof goes, and what each step found.
 */
public final class PanicJob {
    public final RuntimeLayout runtime;
    /** archive/recovery-proofs of the live runtime; a drill keeps its staging copy's proofs in the staging. */
    public final Path proofsDir;

    public Instant startedAt;
    /** The integrity checks; recovery is refused unless every one passed. */
    public PanicReport report;
    /** The backup-posture gates (RecoveryChecks.posture): recorded and printed, never blocking. */
    public List<CheckResult> posture = List.of();
    /** Whether data/ATLAS_PANIC was there, and its text (the panic's reason), trimmed. */
    public boolean flagPresent;
    public String reason;
    public Path proofFile;
    public ObjectNode proof;

    public PanicJob(RuntimeLayout runtime, Path proofsDir) {
        this.runtime = runtime;
        this.proofsDir = proofsDir;
    }

    /** For the live runtime: proofs in &lt;archive&gt;/recovery-proofs. */
    public static PanicJob live(RuntimeLayout live) {
        return new PanicJob(live, live.archiveDir().resolve(RecoveryProofs.DIRECTORY));
    }

    /** The posture gates that fail: warnings, "offsite: 3 archive(s) not offsite, ...". */
    public List<String> warnings() {
        return posture.stream().filter(c -> !c.pass()).map(c -> c.name() + ": " + c.detail()).toList();
    }

    /** The written proof's path (null before), for the route step that signs it. */
    public String proofPath() {
        return proofFile == null ? null : proofFile.toAbsolutePath().toString();
    }

    @Override
    public String toString() {
        return "panic " + (proofFile != null ? "recovered " + runtime.root() + ", proof " + proofFile
                : "checks of " + runtime.root() + (report == null ? "" : report.safe() ? ": safe" : ": NOT safe"));
    }
}
