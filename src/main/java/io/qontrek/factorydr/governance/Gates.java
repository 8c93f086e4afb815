package io.qontrek.factorydr.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.Catalog.FlowRuns;
import io.qontrek.factorydr.catalog.Catalog.RunRow;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.verify.ProofSeqCheck;
import io.qontrek.factorydr.verify.Verification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The governance gates, evaluated from what is already recorded: catalog rows, the archive files
 * they name, the panic flag, drill proofs, and one listing of the proof directory.
 *
 * <ul>
 *   <li>{@value #RPO}: the newest recovery point is younger than the RPO. A recovery point is a
 *       full or incremental archive that is in the catalog AND on disk, or an incremental run that
 *       found nothing changed since such an archive (the state then is fully backed up). Daily proof
 *       archives do not count: they cover a day that has already ended.
 *   <li>{@value #FULL}: the newest full backup (catalogued and on disk) is younger than full-max-age.
 *   <li>{@value #VERIFICATION}: the newest run of any verify-* flow passed, within verify-max-age.
 *   <li>{@value #OFFSITE}: every archive older than the grace period is offsite (catalog offsite_at),
 *       so it fails until a catch-up has copied what S3 missed. With offsite copies disabled it fails
 *       unless offsite-required=false.
 *   <li>{@value #PROOF_CHAIN}: the newest verify-proofs run (which reads and hashes every proof)
 *       passed within verify-max-age, AND the proof directory still lists seqs 0..N without a gap.
 *       The expensive check is cached in the catalog by the verify flow; the cheap one is live.
 *   <li>{@value #PANIC}: data/ATLAS_PANIC is absent (its first line, the reason, is the detail).
 *   <li>{@value #DRILL}: the newest passed drill (a run of drill-quarterly, or a proof
 *       archive/recovery-proofs/drill-*.json) is younger than drill-max-age.
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

    /** The flow whose runs cache the full proof chain check. */
    static final String VERIFY_PROOFS = "verify-proofs";
    static final String INCREMENTAL_FLOW = "backup-incremental";
    static final String DRILL_FLOW = "drill-quarterly";
    static final String RECOVERY_PROOFS = "recovery-proofs";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Gates() {}

    public static GovernanceReport evaluate(RuntimeLayout layout, Catalog catalog, GovernancePolicy policy, Instant now) {
        List<CatalogEntry> archives = catalog.archives();
        Map<String, FlowRuns> runs = catalog.flowRuns();
        List<Gate> gates = new ArrayList<>();
        gates.add(rpo(layout, archives, runs, policy, now));
        gates.add(full(layout, archives, policy, now));
        gates.add(verification(runs, policy, now));
        gates.add(offsite(archives, policy, now));
        gates.add(proofChain(layout, runs, policy, now));
        gates.add(panic(layout));
        gates.add(drill(layout, runs, policy, now));
        return GovernanceReport.of(gates);
    }

    static Gate rpo(RuntimeLayout layout, List<CatalogEntry> archives, Map<String, FlowRuns> runs, GovernancePolicy p,
            Instant now) {
        Optional<CatalogEntry> newest = newest(archives, Set.of("full", "incremental"));
        if (newest.isEmpty()) return new Gate(RPO, false, "no full or incremental backup in the catalog");
        CatalogEntry e = newest.get();
        Path file = layout.archiveDir().resolve(e.name());
        if (!Files.isRegularFile(file)) {
            return new Gate(RPO, false, "the newest backup " + e.name() + " is catalogued but its archive is missing from "
                    + layout.archiveDir());
        }
        Instant point = instant(e.createdAt());
        String what = e.type() + " backup " + e.name();
        FlowRuns inc = runs.get(INCREMENTAL_FLOW);
        if (inc != null && inc.lastOk() != null && "nothing-to-do".equals(inc.lastOk().outcome())) {
            Instant checked = instant(inc.lastOk().startedAt());
            if (checked != null && point != null && checked.isAfter(point)) {
                point = checked;
                what = "incremental run with nothing changed since " + e.name();
            }
        }
        return age(RPO, point, p.rpo(), now, "newest recovery point: " + what);
    }

    static Gate full(RuntimeLayout layout, List<CatalogEntry> archives, GovernancePolicy p, Instant now) {
        Optional<CatalogEntry> newest = newest(archives, Set.of("full"));
        if (newest.isEmpty()) return new Gate(FULL, false, "no full backup in the catalog");
        CatalogEntry e = newest.get();
        if (!Files.isRegularFile(layout.archiveDir().resolve(e.name()))) {
            return new Gate(FULL, false, "the newest full backup " + e.name() + " is catalogued but its archive is missing from "
                    + layout.archiveDir());
        }
        return age(FULL, instant(e.createdAt()), p.fullMaxAge(), now, "newest full backup " + e.name());
    }

    static Gate verification(Map<String, FlowRuns> runs, GovernancePolicy p, Instant now) {
        Optional<RunRow> last = runs.values().stream().filter(r -> r.flow().startsWith("verify-")).map(FlowRuns::last)
                .max(Comparator.comparing(RunRow::finishedAt));
        if (last.isEmpty()) return new Gate(VERIFICATION, false, "no verification has run (factory-dr verify ...)");
        return passedRun(VERIFICATION, last.get(), p.verifyMaxAge(), now);
    }

    static Gate offsite(List<CatalogEntry> archives, GovernancePolicy p, Instant now) {
        if (!p.offsiteEnabled()) {
            return p.offsiteRequired()
                    ? new Gate(OFFSITE, false, "offsite copies are disabled (factory.s3.enabled=false): losing this site loses "
                            + "every backup; enable them, or set factory.governance.offsite-required=false")
                    : new Gate(OFFSITE, true, "offsite copies are disabled and not required (factory.governance.offsite-required=false)");
        }
        if (archives.isEmpty()) return new Gate(OFFSITE, true, "no archives yet, so none missing offsite");
        Instant cutoff = now.minus(p.offsiteGrace());
        List<CatalogEntry> missing = archives.stream().filter(e -> e.offsiteAt() == null)
                .filter(e -> instant(e.createdAt()) == null || !instant(e.createdAt()).isAfter(cutoff)).toList();
        long inFlight = archives.stream().filter(e -> e.offsiteAt() == null).count() - missing.size();
        CatalogEntry newest = archives.get(archives.size() - 1);
        if (!missing.isEmpty()) {
            return new Gate(OFFSITE, false, missing.size() + " archive(s) not offsite, oldest " + missing.get(0).name()
                    + " (factory-dr offsite catch-up copies them)");
        }
        return new Gate(OFFSITE, true, "every archive is offsite" + (inFlight > 0
                ? " except " + inFlight + " younger than " + minutes(p.offsiteGrace()) : "") + "; newest " + newest.name()
                + (newest.offsiteAt() == null ? " (on its way)" : " copied " + newest.offsiteAt()));
    }

    static Gate proofChain(RuntimeLayout layout, Map<String, FlowRuns> runs, GovernancePolicy p, Instant now) {
        Verification listing = ProofSeqCheck.check(layout);
        if (!listing.passed()) return new Gate(PROOF_CHAIN, false, listing.detail());
        FlowRuns verified = runs.get(VERIFY_PROOFS);
        if (verified == null) {
            return new Gate(PROOF_CHAIN, false, listing.detail() + ", but the chain was never verified (factory-dr verify proofs)");
        }
        Gate g = passedRun(PROOF_CHAIN, verified.last(), p.verifyMaxAge(), now);
        return new Gate(PROOF_CHAIN, g.pass(), listing.detail() + "; " + g.detail());
    }

    static Gate panic(RuntimeLayout layout) {
        Path flag = layout.panicFlag();
        if (!Files.exists(flag)) return new Gate(PANIC, true, "no panic flag (" + flag + ")");
        String reason;
        try {
            reason = Files.readString(flag, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
        } catch (IOException | java.io.UncheckedIOException e) {
            reason = "unreadable: " + e.getMessage();
        }
        return new Gate(PANIC, false, "runtime in panic mode (" + flag + "): "
                + (reason.isEmpty() ? "no reason given" : clip(reason)) + " (factory-dr panic recover)");
    }

    static Gate drill(RuntimeLayout layout, Map<String, FlowRuns> runs, GovernancePolicy p, Instant now) {
        Instant newest = null;
        String what = null;
        FlowRuns drills = runs.get(DRILL_FLOW);
        if (drills != null && drills.lastOk() != null && "ok".equals(drills.lastOk().outcome())) {
            newest = instant(drills.lastOk().finishedAt());
            what = "run of " + DRILL_FLOW;
        }
        Path dir = layout.archiveDir().resolve(RECOVERY_PROOFS);
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> proofs = Files.newDirectoryStream(dir, "drill-*.json")) {
                for (Path f : proofs) {
                    Instant t = drillProofTime(f);
                    if (t != null && (newest == null || t.isAfter(newest))) {
                        newest = t;
                        what = "drill proof " + f.getFileName();
                    }
                }
            } catch (IOException e) {
                return new Gate(DRILL, false, "cannot list " + dir + ": " + e.getMessage());
            }
        }
        if (newest == null) return new Gate(DRILL, false, "no DR drill has passed (factory-dr drill)");
        return age(DRILL, newest, p.drillMaxAge(), now, "newest passed drill: " + what);
    }

    /**
     * When a drill proof says the drill passed: its created_at (or finished_at, completed_at,
     * emitted_at), else the file's modification time; null for a proof of a failed drill
     * ({@code "passed": false}, or an outcome/status other than ok/passed) or an unreadable one.
     */
    static Instant drillProofTime(Path f) {
        try {
            JsonNode n = JSON.readTree(f.toFile());
            if (n == null || !n.isObject()) return null;
            if (n.has("passed") && !n.get("passed").asBoolean(false)) return null;
            for (String field : new String[] {"outcome", "status", "result"}) {
                if (n.hasNonNull(field)) {
                    String v = n.get(field).asText().toLowerCase(java.util.Locale.ROOT);
                    if (!Set.of("ok", "passed", "pass", "success").contains(v)) return null;
                }
            }
            for (String field : new String[] {"created_at", "finished_at", "completed_at", "emitted_at"}) {
                if (n.hasNonNull(field)) {
                    Instant t = instant(n.get(field).asText());
                    if (t != null) return t;
                }
            }
            return Files.getLastModifiedTime(f).toInstant();
        } catch (IOException e) {
            return null;
        }
    }

    private static Gate passedRun(String name, RunRow run, Duration maxAge, Instant now) {
        String when = run.finishedAt();
        if ("failed".equals(run.outcome())) {
            return new Gate(name, false, run.flow() + " failed at " + when
                    + (run.detail() == null ? "" : ": " + clip(run.detail())));
        }
        return age(name, instant(when), maxAge, now, run.flow() + " passed");
    }

    private static Gate age(String name, Instant at, Duration max, Instant now, String what) {
        if (at == null) return new Gate(name, false, what + " has no readable time");
        Duration age = Duration.between(at, now);
        boolean pass = age.compareTo(max) <= 0;
        return new Gate(name, pass, what + " at " + at + ", " + human(age) + " ago"
                + (pass ? " (limit " + human(max) + ")" : ", older than the limit of " + human(max)));
    }

    private static Optional<CatalogEntry> newest(List<CatalogEntry> archives, Set<String> types) {
        return archives.stream().filter(e -> types.contains(e.type())).reduce((a, b) -> b);
    }

    static Instant instant(String text) {
        if (text == null) return null;
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String human(Duration d) {
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
