package io.qontrek.factorydr.governance;

import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.catalog.CatalogReads;
import io.qontrek.factorydr.catalog.Catalog.FlowRuns;
import io.qontrek.factorydr.catalog.Catalog.ProofChainCheck;
import io.qontrek.factorydr.catalog.Catalog.RunRow;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.proofs.RecoveryProofs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The governance gates, evaluated from what is already recorded: catalog rows, the archive files
 * they name, the panic flag and signed drill proofs. Nothing here lists or reads proof/ or the ledger, so
 * an evaluation costs the same at a million proofs as at ten: what the verify flows found there is
 * read from the catalog.
 *
 * <ul>
 *   <li>{@value #RPO}: for each kind of data (the proof files and each of the three databases), the
 *       newest recovery point holding it ({@link RecoveryPoints}) is younger than the RPO; judged on
 *       the oldest of them, so a proof-only incremental does not make a stale ledger look fresh.
 *   <li>{@value #FULL}: the newest full backup (catalogued and on disk) is younger than full-max-age.
 *   <li>{@value #VERIFICATION}: the newest whole verification (a run of verify-daily or verify-backup)
 *       passed, within verify-max-age. Runs of the narrower verify flows (one archive, the receipts,
 *       a drill proof ...) do not count: a small `verify archive` must not hide a failed verify-daily.
 *   <li>{@value #OFFSITE}: every archive older than the grace period is offsite (catalog offsite_at),
 *       so it fails until a catch-up has copied what S3 missed. With offsite copies disabled it fails
 *       unless offsite-required=false.
 *   <li>{@value #PROOF_CHAIN}: the newest proof chain check a verify flow recorded in the catalog
 *       (verify-proofs, or verify-daily, which both read and hash every proof) verified the whole
 *       chain and found it continuous, within verify-max-age; and no run of verify-proofs failed
 *       since (one that could not even reach a verdict, such as an unreadable proof directory,
 *       records no check). A check that found a break counts whatever its date range; a passed
 *       check of a date range does not, since it says nothing of the rest of the chain. No check
 *       recorded (never verified, or a catalog older than the record): it fails.
 *   <li>{@value #PANIC}: data/ATLAS_PANIC is absent (its first line, the reason, is the detail).
 *   <li>{@value #DRILL}: the newest drill proof in archive/recovery-proofs/ that verifies its signature
 *       ({@link DrillProof#check}, FACTORY_SIGNING_SECRET) says the drill passed and finished within
 *       drill-max-age, and no run of drill-quarterly failed since (in the same second: the failure).
 *       Unsigned and forged files are ignored, and the detail says how many and why. This is the one
 *       gate that lists a directory: recovery-proofs/ holds a file per drill and per panic recovery
 *       (tens a year), and at most {@value #DRILL_PROOF_READS} of them are read, newest first.
 * </ul>
 */
public final class Gates {
    public static final String RPO = "rpo";
    public static final String FULL = "full-backup";
    public static final String VERIFICATION = "verification";
    public static final String OFFSITE = "offsite";
    public static final String PROOF_CHAIN = "proof-chain";
    public static final String PANIC = "panic";
    public static final String DRILL = "drill";

    /** The flow that checks only the proof chain: any failed run of it is about the chain. */
    static final String VERIFY_PROOFS = "verify-proofs";
    static final String INCREMENTAL_FLOW = "backup-incremental";
    static final String DRILL_FLOW = "drill-quarterly";
    /** The verifications of everything a restore needs: the latest restore set (and, daily, the live runtime). */
    static final List<String> WHOLE_VERIFICATIONS = List.of("verify-daily", "verify-backup");
    /** Files of recovery-proofs/ the drill gate reads at most per evaluation, newest first. */
    public static final int DRILL_PROOF_READS = 20;

    private Gates() {}

    /**
     * @param signingSecret FACTORY_SIGNING_SECRET, which drill proofs are signed with; null when it is
     *     not set (the drill gate then fails: no proof can be verified)
     */
    public static GovernanceReport evaluate(RuntimeLayout layout, CatalogReads catalog, GovernancePolicy policy, byte[] signingSecret,
            Instant now) {
        List<CatalogEntry> archives = catalog.archives();
        Map<String, FlowRuns> runs = catalog.flowRuns();
        List<CheckResult> gates = new ArrayList<>();
        gates.add(rpo(layout, archives, catalog.databasesRecorded(), runs, policy, now));
        gates.add(full(layout, archives, policy, now));
        gates.add(verification(runs, policy, now));
        gates.add(offsite(archives, policy, now));
        gates.add(proofChain(catalog.newestProofChainEvidence(), runs, policy, now));
        gates.add(panic(layout));
        gates.add(drill(layout, runs, policy, signingSecret, now));
        return GovernanceReport.of(gates);
    }

    static CheckResult rpo(RuntimeLayout layout, List<CatalogEntry> archives, Map<String, Set<String>> recorded,
            Map<String, FlowRuns> runs, GovernancePolicy p, Instant now) {
        return rpo(RecoveryPoints.of(layout, archives, recorded, runs, INCREMENTAL_FLOW), p, now);
    }

    /** The newest recovery point of each kind of data, as the rpo gate judges them. */
    public static List<RecoveryPoints.Point> recoveryPoints(RuntimeLayout layout, CatalogReads catalog) {
        return RecoveryPoints.of(layout, catalog.archives(), catalog.databasesRecorded(), catalog.flowRuns(), INCREMENTAL_FLOW);
    }

    /** Judged on the oldest of the kinds' newest points: each kind must be recoverable to within the RPO. */
    static CheckResult rpo(List<RecoveryPoints.Point> points, GovernancePolicy p, Instant now) {
        RecoveryPoints.Point oldest = null;
        StringBuilder each = new StringBuilder();
        for (RecoveryPoints.Point pt : points) {
            if (pt.at() == null || pt.archiveMissing()) return new CheckResult(RPO, false, pt.kind() + ": " + pt.what());
            if (oldest == null || pt.at().isBefore(oldest.at())) oldest = pt;
            each.append(each.length() == 0 ? "" : ", ").append(pt.kind()).append(' ').append(human(pt.age(now)));
        }
        if (oldest == null) return new CheckResult(RPO, false, "no full or incremental backup in the catalog");
        CheckResult g = age(RPO, oldest.at(), p.rpo(), now, "oldest of the newest recovery points: " + oldest.kind() + ", " + oldest.what());
        return new CheckResult(RPO, g.pass(), g.detail() + "; by kind: " + each);
    }

    static CheckResult full(RuntimeLayout layout, List<CatalogEntry> archives, GovernancePolicy p, Instant now) {
        Optional<CatalogEntry> newest = newest(archives, Set.of("full"));
        if (newest.isEmpty()) return new CheckResult(FULL, false, "no full backup in the catalog");
        CatalogEntry e = newest.get();
        if (!Files.isRegularFile(layout.archiveDir().resolve(e.name()))) {
            return new CheckResult(FULL, false, "the newest full backup " + e.name() + " is catalogued but its archive is missing from "
                    + layout.archiveDir());
        }
        return age(FULL, instant(e.createdAt()), p.fullMaxAge(), now, "newest full backup " + e.name());
    }

    static CheckResult verification(Map<String, FlowRuns> runs, GovernancePolicy p, Instant now) {
        // in the same second a failure outweighs a pass (fail closed)
        Optional<RunRow> last = WHOLE_VERIFICATIONS.stream().map(runs::get).filter(Objects::nonNull).map(FlowRuns::last)
                .max(Comparator.comparing(RunRow::finishedAt).thenComparing(r -> "failed".equals(r.outcome())));
        if (last.isEmpty()) {
            return new CheckResult(VERIFICATION, false, "no whole verification has run (the verify-daily flow, or factory-dr verify backup)");
        }
        return passedRun(VERIFICATION, last.get(), p.verifyMaxAge(), now);
    }

    static CheckResult offsite(List<CatalogEntry> archives, GovernancePolicy p, Instant now) {
        if (!p.offsiteEnabled()) {
            return p.offsiteRequired()
                    ? new CheckResult(OFFSITE, false, "offsite copies are disabled (factory.s3.enabled=false): losing this site loses "
                            + "every backup; enable them, or set factory.governance.offsite-required=false")
                    : new CheckResult(OFFSITE, true, "offsite copies are disabled and not required (factory.governance.offsite-required=false)");
        }
        if (archives.isEmpty()) return new CheckResult(OFFSITE, true, "no archives yet, so none missing offsite");
        Instant cutoff = now.minus(p.offsiteGrace());
        List<CatalogEntry> missing = archives.stream().filter(e -> e.offsiteAt() == null)
                .filter(e -> instant(e.createdAt()) == null || !instant(e.createdAt()).isAfter(cutoff)).toList();
        long inFlight = archives.stream().filter(e -> e.offsiteAt() == null).count() - missing.size();
        CatalogEntry newest = archives.get(archives.size() - 1);
        if (!missing.isEmpty()) {
            return new CheckResult(OFFSITE, false, missing.size() + " archive(s) not offsite, oldest " + missing.get(0).name()
                    + " (factory-dr offsite catch-up copies them)");
        }
        return new CheckResult(OFFSITE, true, "every archive is offsite" + (inFlight > 0
                ? " except " + inFlight + " younger than " + minutes(p.offsiteGrace()) : "") + "; newest " + newest.name()
                + (newest.offsiteAt() == null ? " (on its way)" : " copied " + newest.offsiteAt()));
    }

    /**
     * @param check the catalog's newest evidence about the whole chain ({@link Catalog#newestProofChainEvidence})
     */
    static CheckResult proofChain(Optional<ProofChainCheck> check, Map<String, FlowRuns> runs, GovernancePolicy p, Instant now) {
        if (check.isPresent() && !check.get().passed()) {
            ProofChainCheck c = check.get();
            return new CheckResult(PROOF_CHAIN, false, c.flow() + " found " + range(c) + " broken at " + c.checkedAt()
                    + (c.detail() == null ? "" : ": " + clip(c.detail())));
        }
        FlowRuns proofRuns = runs.get(VERIFY_PROOFS);
        RunRow lastRun = proofRuns == null ? null : proofRuns.last();
        Instant checkedAt = check.map(c -> instant(c.checkedAt())).orElse(null);
        if (lastRun != null && "failed".equals(lastRun.outcome())) {
            // a failure with no verdict recorded (the proofs could not be read): the newer of it and the
            // check speaks, and in the same second the failure (fail closed)
            Instant failedAt = instant(lastRun.finishedAt());
            if (checkedAt == null || failedAt == null || !failedAt.isBefore(checkedAt)) {
                return passedRun(PROOF_CHAIN, lastRun, p.verifyMaxAge(), now);
            }
        }
        if (check.isEmpty()) {
            return new CheckResult(PROOF_CHAIN, false, "no verification of the whole proof chain is recorded in the catalog "
                    + "(factory-dr verify proofs, or the verify-daily flow, records one through the recordProofChain step "
                    + "of routes/verify.camel.yaml)");
        }
        ProofChainCheck c = check.get();
        if (!c.wholeChain()) {
            return new CheckResult(PROOF_CHAIN, false, c.flow() + " verified only " + range(c) + " at " + c.checkedAt()
                    + ", nothing of the rest (factory-dr verify proofs, without --from/--to)");
        }
        String seqs = c.firstSeq() == null ? ", no proofs" : ", seq " + c.firstSeq() + ".." + c.lastSeq()
                + (c.headRoot() == null ? "" : " (head " + c.headSeq() + ", merkle_root " + c.headRoot() + ")");
        return age(PROOF_CHAIN, checkedAt, p.verifyMaxAge(), now, c.flow() + " verified " + range(c) + seqs);
    }

    private static String range(ProofChainCheck c) {
        return c.wholeChain() ? "the whole proof chain" : "the proof chain (" + (c.rangeFrom() == null ? "start" : c.rangeFrom())
                + " to " + (c.rangeTo() == null ? "end" : c.rangeTo()) + ")";
    }

    static CheckResult panic(RuntimeLayout layout) {
        Path flag = layout.panicFlag();
        if (!Files.exists(flag)) return new CheckResult(PANIC, true, "no panic flag (" + flag + ")");
        String reason;
        try {
            reason = Files.readString(flag, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
        } catch (IOException | java.io.UncheckedIOException e) {
            reason = "unreadable: " + e.getMessage();
        }
        return new CheckResult(PANIC, false, "runtime in panic mode (" + flag + "): "
                + (reason.isEmpty() ? "no reason given" : clip(reason)) + " (factory-dr panic recover)");
    }

    static CheckResult drill(RuntimeLayout layout, Map<String, FlowRuns> runs, GovernancePolicy p, byte[] signingSecret, Instant now) {
        Path dir = layout.archiveDir().resolve(RecoveryProofs.DIRECTORY);
        if (signingSecret == null || signingSecret.length == 0) {
            return new CheckResult(DRILL, false, "FACTORY_SIGNING_SECRET is not set, so no drill proof in " + dir + " can be verified");
        }
        DrillProof.Newest found;
        try {
            found = DrillProof.newest(dir, signingSecret, DRILL_PROOF_READS);
        } catch (IOException | RuntimeException e) {
            return new CheckResult(DRILL, false, "cannot list " + dir + ": " + e.getMessage());
        }
        String ignored = ignored(found);
        if (found.gaveUp()) {
            return new CheckResult(DRILL, false, "the newest " + DRILL_PROOF_READS + " drill-*.json files in " + dir
                    + " are not signed drill proofs" + ignored);
        }
        DrillProof.Signed proof = found.proof().orElse(null);
        FlowRuns drills = runs.get(DRILL_FLOW);
        RunRow lastRun = drills == null ? null : drills.last();
        if (lastRun != null && "failed".equals(lastRun.outcome())) {
            Instant failedAt = instant(lastRun.finishedAt());
            if (proof == null || failedAt == null || !failedAt.isBefore(proof.finishedAt())) {
                return new CheckResult(DRILL, false, DRILL_FLOW + " failed at " + lastRun.finishedAt()
                        + (lastRun.detail() == null ? "" : ": " + clip(lastRun.detail())) + ignored);
            }
        }
        if (proof == null) return new CheckResult(DRILL, false, "no signed drill proof in " + dir + " (factory-dr drill)" + ignored);
        String what = "newest signed drill proof " + proof.file().getFileName();
        if (!proof.passed()) return new CheckResult(DRILL, false, what + ": " + clip(proof.detail()) + ignored);
        CheckResult aged = age(DRILL, proof.finishedAt(), p.drillMaxAge(), now, what + ", drill " + proof.drillId() + " passed");
        return new CheckResult(DRILL, aged.pass(), aged.detail() + ignored);
    }

    /** "; ignored 2 files that are not signed drill proofs: drill-x.json (unsigned), ..." or "". */
    private static String ignored(DrillProof.Newest found) {
        List<String> files = found.ignored();
        if (files.isEmpty()) return "";
        return "; ignored " + files.size() + (files.size() == 1 ? " file that is not a signed drill proof: "
                : " files that are not signed drill proofs: ") + clip(String.join(", ", files));
    }

    private static CheckResult passedRun(String name, RunRow run, Duration maxAge, Instant now) {
        String when = run.finishedAt();
        if ("failed".equals(run.outcome())) {
            return new CheckResult(name, false, run.flow() + " failed at " + when
                    + (run.detail() == null ? "" : ": " + clip(run.detail())));
        }
        return age(name, instant(when), maxAge, now, run.flow() + " passed");
    }

    private static CheckResult age(String name, Instant at, Duration max, Instant now, String what) {
        if (at == null) return new CheckResult(name, false, what + " has no readable time");
        Duration age = Duration.between(at, now);
        boolean pass = age.compareTo(max) <= 0;
        return new CheckResult(name, pass, what + " at " + at + ", " + human(age) + " ago"
                + (pass ? " (limit " + human(max) + ")" : ", older than the limit of " + human(max)));
    }

    private static Optional<CatalogEntry> newest(List<CatalogEntry> archives, Set<String> types) {
        return archives.stream().filter(e -> types.contains(e.type())).reduce((a, b) -> b);
    }

    /** A recorded time, or null when it is missing or not ISO-8601 (a catalog written by hand, say). */
    public static Instant instant(String text) {
        if (text == null) return null;
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** "45 s", "12 min", "3 h 5 min", "4 d 2 h": an age as an operator reads it. */
    public static String human(Duration d) {
        if (d.isNegative()) return "in " + human(d.negated());
        long s = d.getSeconds();
        if (s < 120) return s + " s";
        if (s < 2 * 3600) return s / 60 + " min";
        if (s < 2 * 86400) return s / 3600 + " h " + (s % 3600) / 60 + " min";
        return s / 86400 + " d " + (s % 86400) / 3600 + " h";
    }

    private static String minutes(Duration d) {
        return d.toMinutes() + " min";
    }

    private static String clip(String s) {
        String one = s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
        return one.length() <= 300 ? one : one.substring(0, 297) + "...";
    }
}
