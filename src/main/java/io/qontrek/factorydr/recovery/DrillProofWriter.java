package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.verify.CheckResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import io.qontrek.factorydr.proofs.DrillProof;
import static io.qontrek.factorydr.proofs.DrillProof.*;
import io.qontrek.factorydr.proofs.RecoveryProofs;

/** Writes the signed drill proof ({@link DrillProof}) of a drill run. */
public final class DrillProofWriter {
    private DrillProofWriter() {}

    /** Builds, signs and writes the drill proof; sets run.proofFile. */
    public static Path emit(DrillRun run, DrillProof.Objectives objectives, byte[] signingSecret, Instant finishedAt) throws IOException {
        run.finishedAt = finishedAt;
        ObjectNode doc = RecoveryProofs.JSON.createObjectNode();
        doc.put("schema", SCHEMA);
        doc.put("drill_id", run.drillId);
        doc.put("runtime", run.live.root().toString());
        doc.put("staging", run.staging == null ? null : run.staging.toString());
        doc.put("staging_kept", run.keepStaging);
        doc.put("started_at", run.startedAt.toString());
        doc.put("finished_at", finishedAt.toString());
        doc.put("pass", run.passed());
        ArrayNode outcomes = doc.putArray("outcomes");
        for (String name : OUTCOMES) {
            CheckResult r = run.outcomes.getOrDefault(name, CheckResult.failed(name, "not reached"));
            ObjectNode o = outcomes.addObject();
            o.put("name", name);
            o.put("pass", r.pass());
            o.put("detail", r.detail());
        }
        ArrayNode archives = doc.putArray("archives");
        for (DrillRun.ArchiveUsed a : run.archives) {
            ObjectNode o = archives.addObject();
            o.put("backup_id", a.backupId());
            o.put("name", a.name());
            o.put("sha256", a.sha256());
        }
        ArrayNode disaster = doc.putArray("disaster");
        run.disaster.forEach(disaster::add);
        doc.put("panic_reason", run.panicReason);
        rto(doc.putObject("rto"), run, objectives.rto());
        rpo(doc.putObject("rpo"), run, objectives.rpo());
        if (run.recoveryProof == null) doc.putNull("recovery_proof");
        else doc.set("recovery_proof", run.recoveryProof);
        RecoveryProofs.sign(doc, signingSecret);
        run.proofFile = RecoveryProofs.write(run.live.archiveDir().resolve(RecoveryProofs.DIRECTORY), FILE_PREFIX, finishedAt, doc);
        return run.proofFile;
    }

    private static void rto(ObjectNode o, DrillRun run, Duration objective) {
        o.put("from", "start of the recovery restore (restore --date=latest --verify)");
        o.put("to", "every outcome verified");
        o.put("objective_seconds", objective.toSeconds());
        if (run.rtoMillis < 0) {
            o.putNull("seconds");
            o.putNull("millis");
            o.put("met", false);
        } else {
            o.put("seconds", (run.rtoMillis + 999) / 1000);
            o.put("millis", run.rtoMillis);
            o.put("met", run.rtoMillis <= objective.toMillis());
        }
    }

    /**
     * The RPO at drill time: the age of the newest recovery point of each kind of data (proof files and
     * each database, from the catalog), the oldest of them judged against the objective; and, as the
     * data itself shows it, the age of the newest restored proof's created_at and ledger entry's
     * received_at.
     */
    private static void rpo(ObjectNode o, DrillRun run, Duration objective) {
        o.put("at", run.startedAt.toString());
        o.put("objective_seconds", objective.toSeconds());
        Optional<ChainHeads.Proof> proof = Optional.empty();
        Optional<ChainHeads.Ledger> ledger = Optional.empty();
        if (run.outcomes.containsKey(FULL_RESTORE_VERIFIED) && run.outcomes.get(FULL_RESTORE_VERIFIED).pass()) {
            try {
                proof = ChainHeads.proof(run.staged);
                ledger = ChainHeads.ledger(run.staged);
            } catch (IOException | RuntimeException unreadable) {
                // the outcomes already say what is wrong with the staging copy
            }
        }
        Long proofAge = proof.map(p -> age(run.startedAt, p.createdAt())).orElse(null);
        Long ledgerAge = ledger.map(l -> age(run.startedAt, l.receivedAt())).orElse(null);
        o.put("newest_proof_created_at", proof.map(ChainHeads.Proof::createdAt).orElse(null));
        o.put("proof_age_seconds", proofAge);
        o.put("newest_ledger_received_at", ledger.map(ChainHeads.Ledger::receivedAt).orElse(null));
        o.put("ledger_age_seconds", ledgerAge);
        ObjectNode points = o.putObject("recovery_points");
        Long worst = null;
        for (io.qontrek.factorydr.governance.RecoveryPoints.Point p : run.recoveryPoints) {
            ObjectNode k = points.putObject(p.kind());
            k.put("at", p.at() == null ? null : p.at().toString());
            k.put("what", p.what());
            Long age = p.at() == null || p.archiveMissing() ? null : Math.max(0, Duration.between(p.at(), run.startedAt).toSeconds());
            k.put("age_seconds", age);
            if (age == null) worst = Long.MAX_VALUE;
            else if (worst == null || age > worst) worst = age;
        }
        if (run.recoveryPoints.isEmpty()) {
            worst = proofAge == null ? ledgerAge : ledgerAge == null ? proofAge : Long.valueOf(Math.max(proofAge, ledgerAge));
        }
        o.put("seconds", worst == null || worst == Long.MAX_VALUE ? null : worst);
        o.put("met", worst != null && worst <= objective.toSeconds());
    }

    private static Long age(Instant at, String time) {
        try {
            return Math.max(0, Duration.between(Instant.parse(time), at).toSeconds());
        } catch (DateTimeParseException | NullPointerException e) {
            return null;
        }
    }

}
