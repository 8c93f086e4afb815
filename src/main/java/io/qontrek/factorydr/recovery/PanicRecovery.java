package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.proofs.RecoveryProofs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.common.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;

/**
 * The runbook's recoverPanic: refuses while any integrity check fails; otherwise writes the signed
 * resilience_ops proof (what was checked, each verdict, the backup posture and its warnings, the
 * chain heads, the panic's reason, the times), and only once it is on disk removes data/ATLAS_PANIC. Without a panic flag it still
 * writes the proof (the Post-Recovery Checklist asks for one after any restore) and removes nothing.
 */
public final class PanicRecovery {
    public static final String SCHEMA = "factory.resilience_ops.v1";
    public static final String FILE_PREFIX = "resilience_ops_v1";

    private PanicRecovery() {}

    /** Reads the panic flag and its reason into the job (before any check runs). */
    public static void readFlag(PanicJob job) throws IOException {
        job.flagPresent = Files.isRegularFile(job.runtime.panicFlag());
        job.reason = job.flagPresent ? Files.readString(job.runtime.panicFlag(), StandardCharsets.UTF_8).strip() : null;
    }

    /** Throws {@link RecoveryRefused} naming each failed check. */
    public static void requireSafe(PanicJob job, String what) {
        if (job.report == null || !job.report.safe()) throw new RecoveryRefused(what, job.report == null ? new PanicReport(java.util.List.of()) : job.report);
    }

    /**
     * Writes the signed proof (HMAC inside; the route then writes its Ed25519 .sig), refusing while
     * recovery is not safe. {@link #clearFlag} comes after both are on disk.
     */
    public static void writeProof(PanicJob job, byte[] signingSecret, Instant finishedAt) throws IOException {
        requireSafe(job, "panic recovery refused");
        ObjectNode doc = RecoveryProofs.JSON.createObjectNode();
        doc.put("schema", SCHEMA);
        doc.put("kind", "panic-recovery");
        doc.put("runtime", job.runtime.root().toString());
        doc.put("started_at", job.startedAt.toString());
        doc.put("finished_at", finishedAt.toString());
        ObjectNode panic = doc.putObject("panic");
        panic.put("flag", "data/ATLAS_PANIC");
        panic.put("present", job.flagPresent);
        if (job.reason == null) panic.putNull("reason");
        else panic.put("reason", job.reason);
        panic.put("action", job.flagPresent ? "removed after this proof was written" : "none: the runtime was not in panic mode");
        doc.set("checks", checks(job.report.checks()));
        doc.put("safe", job.report.safe());
        // the backup posture at recovery: recorded, never a reason to stay in panic mode
        doc.set("posture", checks(job.posture));
        ArrayNode warnings = doc.putArray("warnings");
        job.warnings().forEach(warnings::add);
        heads(doc, job);
        RecoveryProofs.sign(doc, signingSecret);
        job.proof = doc;
        job.proofFile = RecoveryProofs.write(job.proofsDir, FILE_PREFIX, finishedAt, doc);
    }

    /** Removes data/ATLAS_PANIC (when it was there), only once the job's proof is written. */
    public static void clearFlag(PanicJob job) throws IOException {
        if (job.proofFile == null || !Files.isRegularFile(job.proofFile)) {
            throw new IllegalStateException("the panic flag stays: no resilience_ops proof was written");
        }
        if (job.flagPresent) {
            Files.deleteIfExists(job.runtime.panicFlag());
            AtomicFile.fsync(job.runtime.dataDir());
        }
    }

    static ArrayNode checks(java.util.List<CheckResult> results) {
        ArrayNode arr = RecoveryProofs.JSON.createArrayNode();
        for (CheckResult c : results) {
            ObjectNode o = arr.addObject();
            o.put("name", c.name());
            o.put("pass", c.pass());
            o.put("detail", c.detail());
        }
        return arr;
    }

    static void heads(ObjectNode doc, PanicJob job) throws IOException {
        var proof = ChainHeads.proof(job.runtime);
        if (proof.isPresent()) {
            ObjectNode p = doc.putObject("proof_head");
            p.put("seq", proof.get().seq());
            p.put("merkle_root", proof.get().merkleRoot());
        } else {
            doc.putNull("proof_head");
        }
        var ledger = ChainHeads.ledger(job.runtime);
        ObjectNode l = doc.putObject("ledger_head");
        l.put("seq", ledger.map(ChainHeads.Ledger::seq).orElse(0L));
        l.put("entry_hash", ledger.map(ChainHeads.Ledger::entryHash).orElse("0".repeat(64)));
    }
}
