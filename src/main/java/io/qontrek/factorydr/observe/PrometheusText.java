package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.catalog.Catalog.FlowRuns;
import io.qontrek.factorydr.catalog.Catalog.RunRow;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernanceReport;
import io.qontrek.factorydr.governance.RecoveryPoints;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Prometheus text exposition (format 0.0.4) of what the catalog records, written by hand
 * rather than through Micrometer: every value comes from the catalog, so it survives restarts and
 * includes the runs of CLI commands, which in-process counters would not see.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder();

    private PrometheusText() {}

    /**
     * With the newest recovery point of each kind of data ({@link RecoveryPoints}), their ages at
     * {@code now}; the offsite lag only when offsite copies are on (factory.s3.enabled).
     */
    public static String render(List<CatalogEntry> archives, Map<String, FlowRuns> runs, GovernanceReport governance,
            long diskFreeBytes, List<RecoveryPoints.Point> points, boolean offsiteEnabled, Instant now) {
        PrometheusText t = new PrometheusText();
        t.flows(archives, runs);
        t.archives(archives);
        if (offsiteEnabled) t.offsiteLag(archives, now);
        if (!points.isEmpty()) {
            t.family("factory_dr_recovery_point_age_seconds", "gauge",
                    "Age of the newest recovery point holding each kind of data (proof, federation_ledger, nonce_store, receipts); "
                            + "the RPO gate judges the oldest. Absent for a kind with none.");
            for (RecoveryPoints.Point p : points) {
                if (p.at() != null && !p.archiveMissing()) {
                    t.sample("factory_dr_recovery_point_age_seconds", Map.of("data", p.kind()), Math.max(0, p.age(now).toSeconds()));
                }
            }
        }
        t.family("factory_dr_archive_disk_free_bytes", "gauge", "Usable bytes on the archive file system.");
        t.sample("factory_dr_archive_disk_free_bytes", Map.of(), diskFreeBytes);
        t.family("factory_dr_governance_pass", "gauge", "1 when every governance gate passes (GET /api/mcp/governance).");
        t.sample("factory_dr_governance_pass", Map.of(), governance.pass() ? 1 : 0);
        t.family("factory_dr_governance_gate_pass", "gauge", "1 when the governance gate passes.");
        for (CheckResult g : governance.gates()) t.sample("factory_dr_governance_gate_pass", Map.of("gate", g.name()), g.pass() ? 1 : 0);
        return t.out.toString();
    }

    private void flows(List<CatalogEntry> archives, Map<String, FlowRuns> runs) {
        Map<String, Long> sizeById = new TreeMap<>();
        for (CatalogEntry e : archives) sizeById.put(e.backupId(), e.size());
        family("factory_dr_flow_runs_total", "counter", "Runs of each flow recorded in the catalog, by outcome (ok, nothing-to-do, failed).");
        for (FlowRuns r : runs.values()) {
            for (var o : r.outcomes().entrySet()) sample("factory_dr_flow_runs_total", labels("flow", r.flow(), "outcome", o.getKey()), o.getValue());
        }
        family("factory_dr_flow_last_run_timestamp_seconds", "gauge", "When the newest run of each flow finished (Unix time).");
        for (FlowRuns r : runs.values()) time("factory_dr_flow_last_run_timestamp_seconds", r.flow(), r.last().finishedAt());
        family("factory_dr_flow_last_run_failed", "gauge", "1 when the newest run of each flow failed.");
        for (FlowRuns r : runs.values()) sample("factory_dr_flow_last_run_failed", Map.of("flow", r.flow()), "failed".equals(r.last().outcome()) ? 1 : 0);
        family("factory_dr_flow_last_run_duration_seconds", "gauge", "How long the newest run of each flow took.");
        for (FlowRuns r : runs.values()) {
            Double d = seconds(r.last());
            if (d != null) sample("factory_dr_flow_last_run_duration_seconds", Map.of("flow", r.flow()), d);
        }
        family("factory_dr_flow_last_success_timestamp_seconds", "gauge", "When the newest successful run (ok or nothing-to-do) of each flow finished (Unix time).");
        for (FlowRuns r : runs.values()) if (r.lastOk() != null) time("factory_dr_flow_last_success_timestamp_seconds", r.flow(), r.lastOk().finishedAt());
        family("factory_dr_flow_last_success_bytes_written", "gauge", "Size of the archive the newest successful run of each flow wrote.");
        for (FlowRuns r : runs.values()) {
            if (r.lastOk() != null && r.lastOk().backupId() != null && sizeById.containsKey(r.lastOk().backupId())) {
                sample("factory_dr_flow_last_success_bytes_written", Map.of("flow", r.flow()), sizeById.get(r.lastOk().backupId()));
            }
        }
    }

    private void archives(List<CatalogEntry> archives) {
        Map<String, long[]> byType = new TreeMap<>();     // count, bytes, newest epoch second
        long notOffsite = 0;
        for (CatalogEntry e : archives) {
            long[] v = byType.computeIfAbsent(e.type(), t -> new long[] {0, 0, Long.MIN_VALUE});
            v[0]++;
            v[1] += e.size();
            Instant t = Gates.instant(e.createdAt());
            if (t != null) v[2] = Math.max(v[2], t.getEpochSecond());
            if (e.offsiteAt() == null) notOffsite++;
        }
        family("factory_dr_archives", "gauge", "Archives in the catalog, by type.");
        byType.forEach((type, v) -> sample("factory_dr_archives", Map.of("type", type), v[0]));
        family("factory_dr_archive_bytes", "gauge", "Bytes of the archives in the catalog, by type.");
        byType.forEach((type, v) -> sample("factory_dr_archive_bytes", Map.of("type", type), v[1]));
        family("factory_dr_archive_newest_timestamp_seconds", "gauge", "When the newest archive of each type was created (Unix time).");
        byType.forEach((type, v) -> {
            if (v[2] != Long.MIN_VALUE) sample("factory_dr_archive_newest_timestamp_seconds", Map.of("type", type), v[2]);
        });
        family("factory_dr_archives_not_offsite", "gauge", "Archives in the catalog not yet copied offsite.");
        sample("factory_dr_archives_not_offsite", Map.of(), notOffsite);
    }

    /** How far offsite copies are behind: the age of the oldest archive not yet offsite (0 when none is). */
    private void offsiteLag(List<CatalogEntry> archives, Instant now) {
        Instant oldest = null;
        for (CatalogEntry e : archives) {
            Instant t = Gates.instant(e.createdAt());
            if (e.offsiteAt() == null && t != null && (oldest == null || t.isBefore(oldest))) oldest = t;
        }
        family("factory_dr_offsite_lag_seconds", "gauge",
                "Age of the oldest archive in the catalog not yet copied offsite; 0 when every archive is offsite.");
        sample("factory_dr_offsite_lag_seconds", Map.of(), oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds()));
    }

    private void time(String metric, String flow, String iso) {
        Instant t = Gates.instant(iso);
        if (t != null) sample(metric, Map.of("flow", flow), t.getEpochSecond());
    }

    private static Double seconds(RunRow r) {
        Instant a = Gates.instant(r.startedAt());
        Instant b = Gates.instant(r.finishedAt());
        return a == null || b == null ? null : Math.max(0, Duration.between(a, b).toMillis() / 1000.0);
    }

    private void family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, Map<String, String> labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            List<String> parts = new ArrayList<>();
            new TreeMap<>(labels).forEach((k, v) -> parts.add(k + "=\"" + escape(v) + "\""));
            out.append('{').append(String.join(",", parts)).append('}');
        }
        out.append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) out.append((long) value);
        else out.append(String.format(Locale.ROOT, "%.3f", value));
        out.append('\n');
    }

    private static Map<String, String> labels(String k1, String v1, String k2, String v2) {
        return Map.of(k1, v1, k2, v2);
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
