package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.catalog.Catalog.SizedRun;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernanceReport;
import io.qontrek.factorydr.governance.RecoveryPoints;
import io.qontrek.factorydr.proofs.DrillProof;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the status page and {@code factory-dr status} show, at one instant: the governance gates and
 * health checks exactly as the API judged them, the newest archive of each type, RPO and RTO against the
 * runbook's objectives, the offsite lag, the last drill and the last 30 days of backup runs.
 *
 * @param newestArchives the newest archive of each type, in the order the types first appear in the catalog
 * @param backupRuns the runs of {@link Status#CHARTED_FLOWS} in the chart's window, oldest first
 */
public record StatusReport(Instant at, Path root, GovernanceReport governance, HealthReport health,
                           List<CatalogEntry> newestArchives, Rpo rpo, LastDrill drill, Duration rtoObjective, Offsite offsite,
                           List<SizedRun> backupRuns) {

    /** The newest recovery point of each kind of data (as the rpo gate sees them) and the runbook's RPO. */
    public record Rpo(List<RecoveryPoints.Point> points, Duration objective) {
        /** The kind whose newest point is the oldest, or null when a kind has none (or its archive is missing). */
        public RecoveryPoints.Point oldest() {
            RecoveryPoints.Point oldest = null;
            for (RecoveryPoints.Point p : points) {
                if (p.at() == null || p.archiveMissing()) return null;
                if (oldest == null || p.at().isBefore(oldest.at())) oldest = p;
            }
            return oldest;
        }

        /** The RPO right now: how much would be lost if the runtime were lost now; null when some kind cannot be recovered. */
        public Duration now(Instant at) {
            RecoveryPoints.Point o = oldest();
            return o == null ? null : positive(Duration.between(o.at(), at));
        }

        public boolean met(Instant at) {
            Duration d = now(at);
            return d != null && d.compareTo(objective) <= 0;
        }
    }

    /** The newest signed drill proof (null when none verifies) and what was found. */
    public record LastDrill(DrillProof.Signed proof, String detail) {}

    /**
     * Offsite copies: enabled or not, how many archives wait for theirs, the oldest of them, and when the
     * newest copy was made.
     */
    public record Offsite(boolean enabled, int waiting, CatalogEntry oldestWaiting, String newestCopyAt) {
        /** How far the offsite copies lag: the age of the oldest archive without one; zero when none waits. */
        public Duration lag(Instant at) {
            if (oldestWaiting == null) return Duration.ZERO;
            Instant created = Gates.instant(oldestWaiting.createdAt());
            return created == null ? null : positive(Duration.between(created, at));
        }
    }

    /** The RTO the newest signed drill measured (restore start to every outcome verified); null when none did. */
    public Duration rto() {
        return drill.proof() == null ? null : drill.proof().rto();
    }

    public boolean rtoMet() {
        return rto() != null && rto().compareTo(rtoObjective) <= 0;
    }

    /** The shape of {@code factory-dr status --json}; {@code governance} is exactly GET /api/mcp/governance's. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", at.toString());
        m.put("root", root.toString());
        m.put("governance", governance.toJson());
        m.put("health", health.toJson());
        List<Map<String, Object>> newest = new ArrayList<>();
        for (CatalogEntry e : newestArchives) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("type", e.type());
            a.put("name", e.name());
            a.put("created_at", e.createdAt());
            a.put("age_seconds", seconds(age(e.createdAt())));
            a.put("size", e.size());
            a.put("offsite_at", e.offsiteAt());
            newest.add(a);
        }
        m.put("newest_archives", newest);

        Map<String, Object> rpoJson = new LinkedHashMap<>();
        Duration rpoNow = rpo.now(at);
        rpoJson.put("seconds", seconds(rpoNow));
        rpoJson.put("objective_seconds", rpo.objective().toSeconds());
        rpoJson.put("met", rpo.met(at));
        RecoveryPoints.Point oldest = rpo.oldest();
        rpoJson.put("oldest", oldest == null ? null : oldest.kind());
        List<Map<String, Object>> points = new ArrayList<>();
        for (RecoveryPoints.Point p : rpo.points()) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("kind", p.kind());
            k.put("at", p.at() == null ? null : p.at().toString());
            k.put("age_seconds", p.at() == null ? null : seconds(positive(p.age(at))));
            k.put("what", p.what());
            k.put("archive_missing", p.archiveMissing());
            points.add(k);
        }
        rpoJson.put("points", points);
        m.put("rpo", rpoJson);

        Map<String, Object> rtoJson = new LinkedHashMap<>();
        rtoJson.put("seconds", rto() == null ? null : rto().toMillis() / 1000.0);
        rtoJson.put("objective_seconds", rtoObjective.toSeconds());
        rtoJson.put("met", rtoMet());
        rtoJson.put("measured_by", drill.proof() == null ? null : drill.proof().file().getFileName().toString());
        m.put("rto", rtoJson);

        Map<String, Object> off = new LinkedHashMap<>();
        off.put("enabled", offsite.enabled());
        off.put("lag_seconds", offsite.enabled() ? seconds(offsite.lag(at)) : null);
        off.put("archives_waiting", offsite.waiting());
        off.put("oldest_waiting", offsite.oldestWaiting() == null ? null : offsite.oldestWaiting().name());
        off.put("newest_copy_at", offsite.newestCopyAt());
        m.put("offsite", off);

        Map<String, Object> d = new LinkedHashMap<>();
        DrillProof.Signed p = drill.proof();
        d.put("proof", p == null ? null : p.file().getFileName().toString());
        d.put("drill_id", p == null ? null : p.drillId());
        d.put("finished_at", p == null ? null : p.finishedAt().toString());
        d.put("age_seconds", p == null ? null : seconds(positive(Duration.between(p.finishedAt(), at))));
        d.put("passed", p != null && p.passed());
        d.put("detail", drill.detail());
        m.put("last_drill", d);

        List<Map<String, Object>> runs = new ArrayList<>();
        for (SizedRun r : backupRuns) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("flow", r.run().flow());
            x.put("started_at", r.run().startedAt());
            x.put("seconds", took(r) == null ? null : took(r).toMillis() / 1000.0);
            x.put("outcome", r.run().outcome());
            x.put("archive_bytes", r.archiveSize());
            runs.add(x);
        }
        m.put("backup_runs", runs);
        return m;
    }

    /** How long a run took, or null when its times do not read. */
    public static Duration took(SizedRun r) {
        Instant a = Gates.instant(r.run().startedAt());
        Instant b = Gates.instant(r.run().finishedAt());
        return a == null || b == null ? null : positive(Duration.between(a, b));
    }

    /** The age at {@link #at} of a recorded time, or null when it does not read. */
    public Duration age(String time) {
        Instant t = Gates.instant(time);
        return t == null ? null : positive(Duration.between(t, at));
    }

    /** "12 min", or "unknown" for null. */
    public static String human(Duration d) {
        return d == null ? "unknown" : Gates.human(d);
    }

    /** 1.2 MiB */
    public static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        if (n < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
        return String.format(Locale.ROOT, "%.2f GiB", n / 1073741824.0);
    }

    /** A clock a little behind the writer's must not show negative ages. */
    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Long seconds(Duration d) {
        return d == null ? null : d.toSeconds();
    }
}
