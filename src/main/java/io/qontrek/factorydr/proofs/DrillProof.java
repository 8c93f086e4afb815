package io.qontrek.factorydr.proofs;

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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The signed drill proof, archive/recovery-proofs/drill-&lt;stamp&gt;.json: every runbook outcome
 * (name, pass, detail), the measured RTO and RPO against the runbook's objectives, the archives
 * restored (backup id, name, SHA-256), the disaster simulated, the staging copy's own resilience_ops
 * proof, and the signature. {@link #check} is `factory-dr verify drill`; recovery.DrillProofWriter writes it.
 */
public final class DrillProof {
    public static final String SCHEMA = "factory.drill_proof.v1";
    public static final String FILE_PREFIX = "drill";

    public static final String BACKUP_RESTORED = "backup-restored";
    public static final String DISASTER_SIMULATED = "disaster-simulated";
    public static final String FULL_RESTORE_VERIFIED = "full-restore-verified";
    public static final String PANIC_RECOVERED = "panic-recovered";
    public static final String PROOF_FILES_RESTORED = "proof-files-restored";
    public static final String MERKLE_CHAIN = "merkle-root-chain-continuous";
    public static final String FEDERATION_SYNC = "federation-sync-resumed";
    public static final String NONCE_STORE = "nonce-store-rebuilt";
    public static final String NO_REPLAY = "no-replay-possible";
    public static final String TOWER_RECEIPTS = "tower-receipts-verified";
    public static final String GOVERNANCE = "governance-gates-pass";

    /** Every outcome a drill proof lists, in the runbook's order: the steps, then "Verify Outcomes". */
    public static final List<String> OUTCOMES = List.of(BACKUP_RESTORED, DISASTER_SIMULATED, FULL_RESTORE_VERIFIED,
            PANIC_RECOVERED, PROOF_FILES_RESTORED, MERKLE_CHAIN, FEDERATION_SYNC, NONCE_STORE, NO_REPLAY, TOWER_RECEIPTS,
            GOVERNANCE);

    private DrillProof() {}

    /** Objectives of the runbook: RTO 30 minutes, RPO 1 hour (factory.drill.*-objective-minutes). */
    public record Objectives(Duration rto, Duration rpo) {
        /** factory.drill.rto-objective-minutes (up to a day) and rpo-objective-minutes (up to a week). */
        public static Objectives from(io.qontrek.factorydr.config.Settings s) {
            return new Objectives(Duration.ofMinutes(s.getInt("factory.drill.rto-objective-minutes", 1, 24 * 60)),
                    Duration.ofMinutes(s.getInt("factory.drill.rpo-objective-minutes", 1, 7 * 24 * 60)));
        }
    }

    /** What `verify drill` found: authentic and well-formed or not (and why), and whether the drill passed. */
    public record Checked(boolean authentic, boolean drillPassed, String detail) {}

    /**
     * Checks a drill proof: the signature over its canonical JSON, the schema, every outcome present
     * exactly once with a boolean verdict, {@code pass} equal to all outcomes passing, RTO and RPO present.
     */
    public static Checked check(ObjectNode doc, byte[] signingSecret) {
        if (!RecoveryProofs.verify(doc, signingSecret)) {
            return new Checked(false, false, "signature does not verify (tampered, or signed with another FACTORY_SIGNING_SECRET)");
        }
        if (!SCHEMA.equals(text(doc, "schema"))) return new Checked(false, false, "schema is not " + SCHEMA);
        for (String field : List.of("drill_id", "started_at", "finished_at")) {
            if (text(doc, field) == null) return new Checked(false, false, "field " + field + " is missing");
        }
        JsonNode outcomes = doc.get("outcomes");
        if (outcomes == null || !outcomes.isArray()) return new Checked(false, false, "outcomes are missing");
        Set<String> seen = new HashSet<>();
        String firstFailed = null;
        for (JsonNode o : outcomes) {
            String name = text(o, "name");
            if (name == null || !OUTCOMES.contains(name)) return new Checked(false, false, "unknown outcome " + name);
            if (!seen.add(name)) return new Checked(false, false, "outcome " + name + " is listed twice");
            if (o.get("pass") == null || !o.get("pass").isBoolean()) return new Checked(false, false, "outcome " + name + " has no pass verdict");
            if (!o.get("pass").booleanValue() && firstFailed == null) firstFailed = name + ": " + text(o, "detail");
        }
        for (String name : OUTCOMES) {
            if (!seen.contains(name)) return new Checked(false, false, "outcome " + name + " is missing");
        }
        JsonNode pass = doc.get("pass");
        if (pass == null || !pass.isBoolean() || pass.booleanValue() != (firstFailed == null)) {
            return new Checked(false, false, "pass does not agree with the outcomes");
        }
        for (String m : List.of("rto", "rpo")) {
            JsonNode n = doc.get(m);
            if (n == null || !n.isObject() || n.get("objective_seconds") == null || n.get("met") == null) {
                return new Checked(false, false, m + " is missing");
            }
        }
        JsonNode archives = doc.get("archives");
        if (archives == null || !archives.isArray() || (firstFailed == null && archives.isEmpty())) {
            return new Checked(false, false, "archives are missing");
        }
        return firstFailed == null
                ? new Checked(true, true, "drill " + text(doc, "drill_id") + " passed all " + OUTCOMES.size() + " outcomes; RTO "
                        + doc.at("/rto/seconds").asText() + " s, RPO " + doc.at("/rpo/seconds").asText() + " s")
                : new Checked(true, false, "drill " + text(doc, "drill_id") + " FAILED: " + firstFailed);
    }

    /**
     * A drill proof that {@link #check} found authentic: its file, drill id, when the drill finished, whether it
     * passed, and the RTO it measured (null when the drill did not get that far).
     */
    public record Signed(Path file, String drillId, Instant finishedAt, boolean passed, String detail, Duration rto) {}

    /**
     * The newest signed drill proof of a directory, and the files passed over on the way to it
     * because they are not one ("name (why)"); {@code gaveUp} when {@code maxReads} files were read
     * without finding one.
     */
    public record Newest(Optional<Signed> proof, List<String> ignored, boolean gaveUp) {}

    /**
     * The newest drill proof in {@code dir} that {@link #check} finds authentic, newest first by name
     * (the drill flow names a proof after the second it finished, a later one of the same second
     * -2, -3 ...): so a proof is normally found at the first read, and forged or unsigned files named
     * after it are read, ignored and named. Files named before it are not read: whatever they hold,
     * they cannot be newer. At most {@code maxReads} files are read.
     */
    public static Newest newest(Path dir, byte[] signingSecret, int maxReads) throws IOException {
        List<String> ignored = new ArrayList<>();
        if (!Files.isDirectory(dir)) return new Newest(Optional.empty(), ignored, false);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, FILE_PREFIX + "-*.json")) {
            s.forEach(files::add);
        }
        files.sort(RecoveryProofs.NAME_ORDER.reversed());
        int reads = 0;
        for (Path f : files) {
            if (reads++ == maxReads) return new Newest(Optional.empty(), ignored, true);
            String name = f.getFileName().toString();
            ObjectNode doc;
            try {
                if (!Files.isRegularFile(f)) throw new IOException("not a regular file");
                doc = RecoveryProofs.read(f);
            } catch (IOException | RuntimeException unreadable) {
                ignored.add(name + " (not a JSON object)");
                continue;
            }
            if (!doc.hasNonNull("signature")) {
                ignored.add(name + " (unsigned)");
                continue;
            }
            Checked c = check(doc, signingSecret);
            Instant finished = c.authentic() ? parse(text(doc, "finished_at")) : null;
            if (finished == null) {
                ignored.add(name + " (" + (c.authentic() ? "finished_at is not a time" : c.detail()) + ")");
                continue;
            }
            JsonNode rtoMillis = doc.at("/rto/millis");
            Duration rto = rtoMillis.isIntegralNumber() ? Duration.ofMillis(rtoMillis.asLong()) : null;
            return new Newest(Optional.of(new Signed(f, text(doc, "drill_id"), finished, c.drillPassed(), c.detail(), rto)), ignored,
                    false);
        }
        return new Newest(Optional.empty(), ignored, false);
    }

    /** drill-20251026T030000Z-2.json -> drill-20251026T030000Z-2, so that a -2 sorts after its first. */
    private static Instant parse(String time) {
        try {
            return time == null ? null : Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }
}
