package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.proofs.RecoveryProofs;

import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernancePolicy;
import io.qontrek.factorydr.restore.RestoreJob;
import io.qontrek.factorydr.restore.RuntimeSwap;
import io.qontrek.factorydr.verify.DigestVerifier;
import io.qontrek.factorydr.verify.FederationVerifier;
import io.qontrek.factorydr.verify.ProofChainVerifier;
import io.qontrek.factorydr.verify.ReceiptVerifier;
import io.qontrek.factorydr.verify.Verification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The runbook's Disaster Recovery Drill, step by step, always in a staging copy and never in the
 * live runtime: (a) restore the latest backup into the staging copy, verified; (b) simulate the
 * disaster there (ledger deleted, proof files removed, panic flag set) and see panic verify refuse;
 * (c) recover: restore latest --verify again, then panic recover; (d) check the runbook's outcomes.
 * routes/drill.camel.yaml runs the restore and panic-recover routes itself: the jobs for them come
 * from here, and what they did is judged here. RTO runs from the start of (c) to the end of (d). A
 * step that fails becomes a failed outcome and the steps after it are "not reached", so a drill
 * proof always lists every outcome.
 */
public final class Drill {
    public static final String STAGED_RUNTIME = "runtime";

    private Drill() {}

    /** Chooses and creates the staging directory; refuses one that overlaps the live runtime. */
    public static void prepare(DrillRun run, RuntimeLayout live, Instant now) throws IOException {
        run.live = live;
        run.startedAt = now;
        run.drillId = "drill-" + RecoveryProofs.stamp(now);
        run.panicReason = "factory-dr " + run.drillId + ": simulated disaster (ledger deleted, proof files removed)";
        if (run.requestedStaging != null) {
            Path s = run.requestedStaging.toAbsolutePath().normalize();
            Path rs = RuntimeLayout.resolved(s);
            for (Path d : List.of(live.root(), live.proofDir(), live.configDir(), live.dataDir(), live.logsDir(), live.archiveDir())) {
                // by the paths as given and as they resolve: proof/ may be a link to a volume that --staging lies in
                if (overlaps(s, d.toAbsolutePath().normalize(), live.root()) || overlaps(rs, RuntimeLayout.resolved(d), RuntimeLayout.resolved(live.root()))) {
                    throw new ConfigException("--staging=" + s + " overlaps the live runtime (" + d + "); choose a directory outside it");
                }
            }
            if (Files.exists(s)) {
                try (Stream<Path> entries = Files.list(s)) {
                    if (entries.findAny().isPresent()) throw new ConfigException("--staging=" + s + " is not empty; give a new or empty directory");
                }
            }
            run.staging = OwnerOnly.directories(s);
            run.keepStaging = true;
        } else {
            run.staging = WorkDir.create(live.archiveDir(), run.drillId);
            run.keepStaging = false;
        }
        run.staged = RuntimeLayout.under(run.staging.resolve(STAGED_RUNTIME), live.archiveDir());
    }

    private static boolean overlaps(Path staging, Path dir, Path root) {
        return staging.equals(dir) || dir.startsWith(staging) || (staging.startsWith(dir) && !dir.equals(root));
    }

    /**
     * A step's check that did not hold. Thrown, like any failure of the step or of the flow it runs,
     * to the drill route's doCatch, which makes it the step's failed outcome ({@link #stepFailed}).
     */
    public static final class StepFailed extends Exception {
        StepFailed(String detail) {
            super(detail);
        }
    }

    /** (a) begins: the job the restore route then runs, the latest backup into the staging copy with every verifier. */
    public static RestoreJob restoreLatest(DrillRun run) {
        run.pending = DrillProof.BACKUP_RESTORED;
        return restoreJob(run);
    }

    /** (a) ends once the restore route ran the job: the archives it restored, and what their manifests say the staging copy holds. */
    public static void backupRestored(DrillRun run, RestoreJob job) throws Exception {
        recordArchives(run, job);
        readBackup(run, job);
        passed(run, "restored " + String.join(" + ", job.backupIds) + " into the staging copy (" + job.files
                + " files), every verifier passed");
    }

    /** (b) The runbook's disaster, in the staging copy; panic verify's integrity checks must then refuse recovery. */
    public static void simulateDisaster(DrillRun run, Catalog catalog, byte[] towerSecret, Instant now) throws Exception {
        run.pending = DrillProof.DISASTER_SIMULATED;
        RuntimeLayout s = run.staged;
        Files.delete(s.ledgerDb());
        for (String companion : List.of("-wal", "-shm", "-journal")) Files.deleteIfExists(Path.of(s.ledgerDb() + companion));
        run.disaster.add("rm data/federation_ledger.db");
        int removed = 0;
        try (Stream<Path> files = Files.list(s.proofDir())) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).toList()) {
                Files.delete(p);
                removed++;
            }
        }
        run.disaster.add("rm proof/*.json (" + removed + " files)");
        Files.writeString(s.panicFlag(), run.panicReason + "\n", StandardCharsets.UTF_8);
        run.disaster.add("touch data/ATLAS_PANIC");
        PanicReport report = RecoveryChecks.integrity(new RecoveryTarget(s, catalog, towerSecret, null, now, null));
        if (report.safe()) throw new StepFailed("panic verify called the disaster safe to recover from");
        passed(run, String.join("; ", run.disaster) + "; panic verify refused recovery ("
                + String.join(", ", report.failed().stream().map(CheckResult::name).toList()) + " failed)");
    }

    /** (c) begins, and with it the RTO clock: the job of restore latest --verify into the staging copy, again. */
    public static RestoreJob restoreAgain(DrillRun run) {
        run.recoveryStartNanos = System.nanoTime();
        run.pending = DrillProof.FULL_RESTORE_VERIFIED;
        return restoreJob(run);
    }

    /** The restore route ran the job of {@link #restoreAgain}. */
    public static void fullRestoreVerified(DrillRun run, RestoreJob job) {
        passed(run, "restore --date=latest --verify: " + String.join(" + ", job.backupIds) + ", " + job.files + " files; "
                + String.join("; ", job.checks));
    }

    /** (c) then: the job the panic-recover route runs on the staging copy. */
    public static PanicJob recoverPanic(DrillRun run) {
        run.pending = DrillProof.PANIC_RECOVERED;
        return new PanicJob(run.staged, run.staging.resolve(RecoveryProofs.DIRECTORY));
    }

    /** The panic-recover route ran: its signed proof keeps the panic's reason, and the flag is gone. */
    public static void panicRecovered(DrillRun run, PanicJob job, byte[] signingSecret) throws StepFailed {
        run.recoveryProof = job.proof;
        List<String> problems = new ArrayList<>();
        if (job.proof == null || !RecoveryProofs.verify(job.proof, signingSecret)) problems.add("the resilience_ops proof's signature does not verify");
        if (!run.panicReason.equals(job.reason)) problems.add("the proof does not carry the panic's reason");
        if (Files.exists(run.staged.panicFlag())) problems.add("data/ATLAS_PANIC is still there");
        if (!problems.isEmpty()) throw new StepFailed(String.join("; ", problems));
        passed(run, "panic recover passed all " + job.report.checks().size()
                + " checks, kept the reason in a signed resilience_ops proof and removed data/ATLAS_PANIC");
    }

    /**
     * The step under way failed, itself or in the flow it ran ({@code body}: that flow's job): its failed
     * outcome. A step the later ones build on stops them: they are "not reached".
     */
    public static void stepFailed(DrillRun run, Object body, Exception e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
        if (body instanceof RestoreJob job) {
            try {
                recordArchives(run, job);
            } catch (IOException unreadable) {
                detail += "; the archives of the restore set could not be read: " + unreadable.getMessage();
            }
        }
        String outcome = run.pending;
        run.outcomes.put(outcome, CheckResult.failed(outcome, detail));
        run.pending = null;
        if (isStep(outcome)) run.stoppedAt = outcome;
    }

    private static void passed(DrillRun run, String detail) {
        run.outcomes.put(run.pending, CheckResult.passed(run.pending, detail));
        run.pending = null;
    }

    /** (d) The runbook's "Verify Outcomes" on the recovered staging copy. Stops the RTO clock. */
    public static void checkOutcomes(DrillRun run, Catalog catalog, byte[] towerSecret, byte[] signingSecret, Instant now,
            GovernancePolicy policy) {
        // the steps a failed one stopped; the RTO clock starts here when (c) was not reached
        for (String o : List.of(DrillProof.BACKUP_RESTORED, DrillProof.DISASTER_SIMULATED, DrillProof.FULL_RESTORE_VERIFIED,
                DrillProof.PANIC_RECOVERED)) {
            run.outcomes.putIfAbsent(o, CheckResult.failed(o, "not reached: " + run.stoppedAt + " failed"));
        }
        if (run.recoveryStartNanos == 0) run.recoveryStartNanos = System.nanoTime();
        RuntimeLayout s = run.staged;
        run.recoveryPoints = io.qontrek.factorydr.governance.Gates.recoveryPoints(run.live, catalog);
        step(run, DrillProof.PROOF_FILES_RESTORED, () -> proofFilesRestored(run));
        step(run, DrillProof.MERKLE_CHAIN, () -> {
            Verification proofs = ProofChainVerifier.verify(s);
            Verification digests = DigestVerifier.verify(s);
            String detail = "proofs: " + CheckResult.of(proofs).detail() + "; digests: " + CheckResult.of(digests).detail();
            return new CheckResult(DrillProof.MERKLE_CHAIN, proofs.passed() && digests.passed(), detail);
        });
        Verification[] fed = new Verification[2];
        step(run, DrillProof.FEDERATION_SYNC, () -> {
            fed[0] = FederationVerifier.verify(s);
            fed[1] = FederationVerifier.probe(s);
            return new CheckResult(DrillProof.FEDERATION_SYNC, fed[1].passed(), "test batch: " + CheckResult.of(fed[1]).detail());
        });
        step(run, DrillProof.NONCE_STORE, () -> new CheckResult(DrillProof.NONCE_STORE, fed[0].passed(),
                CheckResult.of(fed[0]).detail() + fed[0].fact("nonce_rows").map(n -> " (" + n + " nonces)").orElse("")));
        step(run, DrillProof.NO_REPLAY, () -> {
            boolean replayRejected = fed[1].passed() && fed[1].fact("replayed_nonce_of").isPresent();
            return new CheckResult(DrillProof.NO_REPLAY, replayRejected && fed[0].passed(), replayRejected
                    ? "replay of the nonce of " + fed[1].fact("replayed_nonce_of").get() + " rejected; every ledger nonce is in the nonce store"
                    : "replay not proven rejected: " + CheckResult.of(fed[1]).detail());
        });
        step(run, DrillProof.TOWER_RECEIPTS, () -> {
            CheckResult r = CheckResult.of(ReceiptVerifier.verify(s, towerSecret));
            return new CheckResult(DrillProof.TOWER_RECEIPTS, r.pass(), r.detail());
        });
        step(run, DrillProof.GOVERNANCE, () -> governance(run, catalog, signingSecret, now, policy));
        run.rtoMillis = (System.nanoTime() - run.recoveryStartNanos) / 1_000_000;
    }

    /** Deletes the staging copy unless --staging asked to keep it. Done again after a failure, it does nothing. */
    public static void cleanUp(DrillRun run) {
        if (run.manifestProofFiles != null) run.manifestProofFiles.close();
        run.manifestProofFiles = null;
        if (run.staging != null && !run.keepStaging) WorkDir.delete(run.staging);
    }

    static CheckResult proofFilesRestored(DrillRun run) throws Exception {
        ManifestProofFiles expected = run.manifestProofFiles;
        if (expected == null || expected.isEmpty()) {
            return CheckResult.failed(DrillProof.PROOF_FILES_RESTORED, "the restored archives' manifests list no proof files");
        }
        ManifestProofFiles.Comparison c = expected.compare(run.staged.proofDir());
        return c.differences() == 0
                ? CheckResult.passed(DrillProof.PROOF_FILES_RESTORED, c.files() + " files under proof/ byte-equal to the manifests of "
                        + String.join(" + ", run.archives.stream().map(DrillRun.ArchiveUsed::backupId).toList()))
                : CheckResult.failed(DrillProof.PROOF_FILES_RESTORED, c.differences() + " differences, first: " + c.first());
    }


    /**
     * The runbook's "Governance gates pass", judged on the recovered staging copy: the chain heads
     * equal the backup's, and every governance gate passes ({@link Gates#evaluate}: the panic gate
     * on the staging copy's flag, the others on the catalog and archives the drill restored from),
     * except the drill gate, which this drill is renewing (a drill that waited on it could never pass).
     */
    static CheckResult governance(DrillRun run, Catalog catalog, byte[] signingSecret, Instant now, GovernancePolicy policy)
            throws Exception {
        List<CheckResult> checks = new ArrayList<>();
        var proof = ChainHeads.proof(run.staged).orElse(null);
        var ledger = ChainHeads.ledger(run.staged).orElse(null);
        boolean proofSame = run.backupProofHead == null ? proof == null
                : proof != null && proof.seq() == run.backupProofHead.seq() && proof.merkleRoot().equals(run.backupProofHead.merkleRoot());
        boolean ledgerSame = run.backupLedgerHead == null ? ledger == null
                : ledger != null && ledger.seq() == run.backupLedgerHead.seq() && ledger.entryHash().equals(run.backupLedgerHead.entryHash());
        String heads = "proof head " + (proof == null ? "none" : "seq " + proof.seq()) + ", ledger head "
                + (ledger == null ? "none" : "seq " + ledger.seq());
        checks.add(proofSame && ledgerSame
                ? CheckResult.passed("chain-heads-equal-backup", heads + " equal the backup's")
                : CheckResult.failed("chain-heads-equal-backup", heads + "; the backup's: proof "
                        + (run.backupProofHead == null ? "none" : "seq " + run.backupProofHead.seq()) + ", ledger "
                        + (run.backupLedgerHead == null ? "none" : "seq " + run.backupLedgerHead.seq())));
        for (CheckResult g : Gates.evaluate(run.staged, catalog, policy, signingSecret, now).gates()) {
            if (!g.name().equals(Gates.DRILL)) checks.add(new CheckResult(g.name(), g.pass(), g.detail()));
        }
        boolean pass = checks.stream().allMatch(CheckResult::pass);
        // the failures first: the drill's one-line error shows the first of them
        List<CheckResult> ordered = new ArrayList<>(checks.stream().filter(c -> !c.pass()).toList());
        ordered.addAll(checks.stream().filter(CheckResult::pass).toList());
        return new CheckResult(DrillProof.GOVERNANCE, pass, String.join("; ",
                ordered.stream().map(g -> g.name() + " " + (g.pass() ? "ok" : "FAILED") + ": " + g.detail()).toList()));
    }

    private static RestoreJob restoreJob(DrillRun run) {
        return new RestoreJob("latest", null, RuntimeSwap.Scope.ALL, true, false, run.staged);
    }

    /** The archives of the restore set: backup id and name from the signed manifest, SHA-256 of the file. */
    private static void recordArchives(DrillRun run, RestoreJob job) throws IOException {
        if (!run.archives.isEmpty()) return;
        for (Path archive : job.archives) {
            String name = run.live.archiveDir().relativize(archive).toString().replace('\\', '/');
            String id = null;
            try {
                id = Sidecars.readManifest(archive).backupId();
            } catch (Exception unreadable) {
                // recorded without: the outcome says why the restore failed
            }
            String sha = Files.isRegularFile(archive) ? Hashes.sha256Hex(archive) : "missing";
            run.archives.add(new DrillRun.ArchiveUsed(id, name, sha));
        }
    }

    /** What the verified restore set says the staging copy must hold: its proof files and heads. */
    private static void readBackup(DrillRun run, RestoreJob job) throws Exception {
        if (run.manifestProofFiles != null) run.manifestProofFiles.close();
        run.manifestProofFiles = new ManifestProofFiles();
        for (Path archive : job.archives) {
            try (Manifest m = Sidecars.readManifest(archive)) {
                run.manifestProofFiles.add(m);
                if (m.proofHead() != null) run.backupProofHead = new ChainHeads.Proof(m.proofHead().seq(), m.proofHead().merkleRoot(), null);
                if (m.ledgerHead() != null) run.backupLedgerHead = new ChainHeads.Ledger(m.ledgerHead().seq(), m.ledgerHead().entryHash(), null);
            }
        }
    }

    @FunctionalInterface
    interface Step {
        CheckResult run() throws Exception;
    }

    /** Runs one step unless an earlier one failed; an exception is the step's failed outcome. */
    private static void step(DrillRun run, String outcome, Step body) {
        if (run.stoppedAt != null) {
            run.outcomes.put(outcome, CheckResult.failed(outcome, "not reached: " + run.stoppedAt + " failed"));
            return;
        }
        CheckResult r;
        try {
            r = body.run();
        } catch (Exception e) {
            String m = e.getMessage();
            r = CheckResult.failed(outcome, m == null ? e.getClass().getSimpleName() : m.replace('\n', ' '));
        }
        run.outcomes.put(outcome, r);
        if (!r.pass() && isStep(outcome)) run.stoppedAt = outcome;
    }

    /** The outcomes that are steps the next ones depend on; a failed check of (d) does not stop the others. */
    private static boolean isStep(String outcome) {
        return outcome.equals(DrillProof.BACKUP_RESTORED) || outcome.equals(DrillProof.DISASTER_SIMULATED)
                || outcome.equals(DrillProof.FULL_RESTORE_VERIFIED);
    }
}
