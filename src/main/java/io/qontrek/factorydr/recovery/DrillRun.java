package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.proofs.DrillProof;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One DR drill as it moves through routes/drill.camel.yaml: where its staging copy is, what each
 * step found (one outcome per runbook item), the archives it restored, the times it measured.
 */
public final class DrillRun {
    /** The archive the drill restored: its backup id, name under the archive directory, SHA-256. */
    public record ArchiveUsed(String backupId, String name, String sha256) {}

    /** --staging=DIR, or null for a scratch directory deleted afterwards. */
    public final Path requestedStaging;

    public String drillId;
    public Instant startedAt;
    public Instant finishedAt;
    public RuntimeLayout live;
    /** The staging directory: the staged runtime lives in its runtime/, its recovery proofs in recovery-proofs/. */
    public Path staging;
    public boolean keepStaging;
    /** The staging copy's runtime (reading archives and catalog from the live archive directory). */
    public RuntimeLayout staged;
    public String panicReason;

    public final Map<String, CheckResult> outcomes = new LinkedHashMap<>();
    public final List<ArchiveUsed> archives = new ArrayList<>();
    public final List<String> disaster = new ArrayList<>();
    /** The proof files as the restored archives' manifests list them (later archives win), off the heap. */
    ManifestProofFiles manifestProofFiles;
    public ChainHeads.Proof backupProofHead;
    public ChainHeads.Ledger backupLedgerHead;
    public ObjectNode recoveryProof;
    public long recoveryStartNanos;
    public long rtoMillis = -1;
    public Path proofFile;
    /** The newest recovery point of each kind of data when the drill checked (its RPO is judged on the oldest). */
    public java.util.List<io.qontrek.factorydr.governance.RecoveryPoints.Point> recoveryPoints = java.util.List.of();
    /** The outcome of the step under way (its failure is that outcome's), or null. */
    public String pending;
    /** The step that failed and stopped the drill, or null. */
    public String stoppedAt;

    public DrillRun(Path requestedStaging) {
        this.requestedStaging = requestedStaging;
    }

    public boolean passed() {
        return outcomes.size() == DrillProof.OUTCOMES.size() && outcomes.values().stream().allMatch(CheckResult::pass);
    }

    /** The first failed outcome (in the runbook's order), for the one line a failure prints. */
    public CheckResult firstFailed() {
        for (String name : DrillProof.OUTCOMES) {
            CheckResult r = outcomes.get(name);
            if (r == null) return CheckResult.failed(name, "not reached");
            if (!r.pass()) return r;
        }
        return null;
    }

    /** The written proof's path (null before), for the route step that signs it. */
    public String proofPath() {
        return proofFile == null ? null : proofFile.toAbsolutePath().toString();
    }

    @Override
    public String toString() {
        return "drill " + drillId + (finishedAt == null ? "" : passed() ? ": passed" : ": FAILED") + (proofFile == null ? "" : ", proof " + proofFile);
    }
}
