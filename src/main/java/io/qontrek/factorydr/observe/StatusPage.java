package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.catalog.Catalog.SizedRun;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.RecoveryPoints;
import io.qontrek.factorydr.proofs.DrillProof;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The status page, GET /: one server-rendered HTML document, readable without JavaScript (there is
 * none) and without images (the charts are inline SVG with a title and description, and the tables
 * say the same in words). Every table has a caption and header cells with a scope, so a screen reader
 * announces each cell with its row and column. Every recorded text (a gate's detail, a panic reason,
 * an archive name) is escaped. It refreshes itself every minute through a meta tag.
 */
public final class StatusPage {
    public static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private static final String STYLE = """
            body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
            main{max-width:1100px;margin:0 auto;padding:1rem 1.5rem 3rem}
            h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.15rem;margin:2rem 0 .5rem}
            table{border-collapse:collapse;width:100%;background:#fff;margin:.25rem 0 1rem}
            caption{text-align:left;font-weight:600;padding:.3rem 0}
            th,td{border:1px solid #d0d0d0;padding:.3rem .5rem;text-align:left;vertical-align:top}
            thead th{background:#eee}td.detail{word-break:break-word}
            .pass,.healthy{color:#0a6b2d;font-weight:700}.fail,.unhealthy{color:#b00020;font-weight:700}
            .degraded{color:#8a5a00;font-weight:700}
            .summary{font-size:1.05rem;padding:.6rem .8rem;border-left:6px solid #888;background:#fff}
            .summary.pass{border-color:#0a6b2d}.summary.fail{border-color:#b00020}
            .charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0;background:#fff;border:1px solid #d0d0d0;padding:.5rem}
            figcaption{font-weight:600;margin-bottom:.25rem}
            .chart .grid{stroke:#e3e3e3}.chart .axis{stroke:#555}.chart .tick{font-size:11px;fill:#444}
            .chart .series{fill:none;stroke:#1f5fa8;stroke-width:1.5}.chart .point{fill:#1f5fa8}
            .chart .empty{font-size:13px;fill:#666}
            """;

    private final StatusReport r;
    private final StringBuilder out = new StringBuilder(32 * 1024);

    private StatusPage(StatusReport r) {
        this.r = r;
    }

    public static String render(StatusReport report) {
        StatusPage p = new StatusPage(report);
        p.page();
        return p.out.toString();
    }

    private void page() {
        boolean pass = r.governance().pass();
        long passing = r.governance().gates().stream().filter(CheckResult::pass).count();
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<meta http-equiv=\"refresh\" content=\"60\">")
                .append("<title>").append(pass ? "PASS" : "FAIL").append(" - factory-dr status</title>")
                .append("<style>").append(STYLE).append("</style></head>\n<body><main>\n");
        out.append("<h1>factory-dr status</h1>\n");
        out.append("<p id=\"summary\" class=\"summary ").append(pass ? "pass" : "fail").append("\">Governance: <strong class=\"")
                .append(pass ? "pass\">PASS" : "fail\">FAIL").append("</strong>, ").append(passing).append(" of ")
                .append(r.governance().gates().size()).append(" gates pass. Health: <strong class=\"")
                .append(e(r.health().status())).append("\">").append(e(r.health().status())).append("</strong>. Runtime ")
                .append("<code>").append(e(r.root().toString())).append("</code>, as of <time datetime=\"").append(r.at())
                .append("\">").append(r.at().truncatedTo(ChronoUnit.SECONDS)).append("</time>.</p>\n");
        gates();
        objectives();
        newestArchives();
        recoveryPoints();
        health();
        charts();
        out.append("<p>The same verdicts as JSON: <a href=\"/api/mcp/governance\">/api/mcp/governance</a>, ")
                .append("<a href=\"/api/mcp/healthz\">/api/mcp/healthz</a>; the catalog: <a href=\"/api/backups\">/api/backups</a>; ")
                .append("<a href=\"/metrics\">/metrics</a>. On a terminal: <code>factory-dr status</code>.</p>\n");
        out.append("</main></body></html>\n");
    }

    private void gates() {
        out.append("<h2>Governance gates</h2>\n<table id=\"gates\">")
                .append("<caption>Every governance gate, as GET /api/mcp/governance judges it</caption>")
                .append("<thead><tr><th scope=\"col\">Gate</th><th scope=\"col\">Verdict</th><th scope=\"col\">Detail</th></tr></thead><tbody>\n");
        for (CheckResult g : r.governance().gates()) {
            out.append("<tr data-gate=\"").append(e(g.name())).append("\" data-pass=\"").append(g.pass()).append("\"><th scope=\"row\">")
                    .append(e(g.name())).append("</th><td class=\"").append(g.pass() ? "pass\">PASS" : "fail\">FAIL")
                    .append("</td><td class=\"detail\">").append(e(g.detail())).append("</td></tr>\n");
        }
        out.append("</tbody></table>\n");
    }

    /** RPO and RTO against the runbook's objectives, the offsite lag and the last drill. */
    private void objectives() {
        out.append("<h2>Objectives, offsite copies and the last drill</h2>\n<table id=\"objectives\">")
                .append("<caption>RPO and RTO now against the runbook's objectives; offsite lag; last drill</caption>")
                .append("<thead><tr><th scope=\"col\">Measure</th><th scope=\"col\">Now</th><th scope=\"col\">Objective</th>")
                .append("<th scope=\"col\">Met</th><th scope=\"col\">Detail</th></tr></thead><tbody>\n");
        StatusReport.Rpo rpo = r.rpo();
        RecoveryPoints.Point oldest = rpo.oldest();
        row("rpo", "RPO", StatusReport.human(rpo.now(r.at())), StatusReport.human(rpo.objective()), rpo.met(r.at()),
                oldest == null ? "a kind of data has no recovery point (see the table of recovery points)"
                        : "the oldest of the newest recovery points: " + oldest.kind() + ", " + oldest.what());
        DrillProof.Signed drill = r.drill().proof();
        row("rto", "RTO", r.rto() == null ? "not measured" : seconds(r.rto()), StatusReport.human(r.rtoObjective()), r.rtoMet(),
                drill == null ? "no drill has measured it: " + r.drill().detail()
                        : "measured by drill " + drill.drillId() + " (" + drill.file().getFileName() + "), restore start to every outcome verified");
        StatusReport.Offsite off = r.offsite();
        if (!off.enabled()) {
            row("offsite-lag", "Offsite lag", "disabled", "-", null, "offsite copies are disabled (factory.s3.enabled=false)");
        } else {
            Duration lag = off.lag(r.at());
            row("offsite-lag", "Offsite lag", StatusReport.human(lag), "-", null, off.waiting() == 0
                    ? "every archive is offsite" + (off.newestCopyAt() == null ? "" : "; newest copy " + off.newestCopyAt())
                    : off.waiting() + " archive(s) waiting, oldest " + off.oldestWaiting().name()
                            + (off.newestCopyAt() == null ? "; no copy made yet" : "; newest copy " + off.newestCopyAt()));
        }
        row("last-drill", "Last drill", drill == null ? "none" : StatusReport.human(Duration.between(drill.finishedAt(), r.at())) + " ago",
                "-", drill == null ? Boolean.FALSE : drill.passed(), drill == null ? r.drill().detail()
                        : drill.file().getFileName() + ", finished " + drill.finishedAt() + ": " + drill.detail());
        out.append("</tbody></table>\n");
    }

    private void row(String id, String name, String now, String objective, Boolean met, String detail) {
        out.append("<tr data-measure=\"").append(id).append("\"><th scope=\"row\">").append(e(name)).append("</th><td>").append(e(now))
                .append("</td><td>").append(e(objective)).append("</td>");
        if (met == null) out.append("<td>-</td>");
        else out.append("<td class=\"").append(met ? "pass\">yes" : "fail\">no").append("</td>");
        out.append("<td class=\"detail\">").append(e(detail)).append("</td></tr>\n");
    }

    private void newestArchives() {
        out.append("<h2>Newest archives</h2>\n");
        if (r.newestArchives().isEmpty()) {
            out.append("<p id=\"archives\">No archive in the catalog yet.</p>\n");
            return;
        }
        out.append("<table id=\"archives\"><caption>The newest archive of each kind</caption><thead><tr>")
                .append("<th scope=\"col\">Kind</th><th scope=\"col\">Archive</th><th scope=\"col\">Created</th>")
                .append("<th scope=\"col\">Age</th><th scope=\"col\">Size</th><th scope=\"col\">Offsite</th></tr></thead><tbody>\n");
        for (CatalogEntry a : r.newestArchives()) {
            out.append("<tr data-kind=\"").append(e(a.type())).append("\"><th scope=\"row\">").append(e(a.type())).append("</th><td>")
                    .append(e(a.name())).append("</td><td>").append(e(a.createdAt())).append("</td><td>")
                    .append(e(StatusReport.human(r.age(a.createdAt())))).append("</td><td>").append(e(StatusReport.bytes(a.size())))
                    .append("</td><td>").append(e(a.offsiteAt() == null ? "not yet" : a.offsiteAt())).append("</td></tr>\n");
        }
        out.append("</tbody></table>\n");
    }

    private void recoveryPoints() {
        out.append("<h2>Recovery points</h2>\n<table id=\"recovery-points\"><caption>The newest recovery point of each kind of data ")
                .append("(the rpo gate judges the oldest)</caption><thead><tr><th scope=\"col\">Data</th><th scope=\"col\">Point in time</th>")
                .append("<th scope=\"col\">Age</th><th scope=\"col\">From</th></tr></thead><tbody>\n");
        for (RecoveryPoints.Point p : r.rpo().points()) {
            out.append("<tr><th scope=\"row\">").append(e(p.kind())).append("</th><td>").append(e(p.at() == null ? "none" : p.at().toString()))
                    .append("</td><td>").append(e(p.at() == null || p.archiveMissing() ? "-" : StatusReport.human(p.age(r.at()))))
                    .append("</td><td class=\"detail\">").append(e(p.what())).append("</td></tr>\n");
        }
        out.append("</tbody></table>\n");
    }

    private void health() {
        out.append("<h2>Health checks</h2>\n<table id=\"health\"><caption>Whether factory-dr can work, as GET /api/mcp/healthz judges it: ")
                .append(e(r.health().status())).append("</caption><thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Status</th>")
                .append("<th scope=\"col\">Detail</th></tr></thead><tbody>\n");
        for (Check c : r.health().checks()) {
            out.append("<tr data-check=\"").append(e(c.name())).append("\"><th scope=\"row\">").append(e(c.name()))
                    .append("</th><td class=\"").append(e(c.status())).append("\">").append(e(c.status()))
                    .append("</td><td class=\"detail\">").append(e(c.detail())).append("</td></tr>\n");
        }
        out.append("</tbody></table>\n");
    }

    /** A chart of durations and one of archive sizes per backup flow, then the same runs summed up in a table. */
    private void charts() {
        Instant from = r.at().minus(Status.CHART_WINDOW);
        out.append("<h2>Backups, last ").append(Status.CHART_WINDOW.toDays()).append(" days</h2>\n<div class=\"charts\">\n");
        for (String flow : Status.CHARTED_FLOWS) {
            List<BackupChart.Point> durations = new ArrayList<>();
            List<BackupChart.Point> sizes = new ArrayList<>();
            for (SizedRun run : runs(flow)) {
                Instant at = Gates.instant(run.run().startedAt());
                Duration took = StatusReport.took(run);
                if (at == null || !"ok".equals(run.run().outcome())) continue;
                if (took != null) durations.add(new BackupChart.Point(at, took.toMillis() / 1000.0, flow + " " + at + ": " + seconds(took)));
                if (run.archiveSize() != null) {
                    sizes.add(new BackupChart.Point(at, run.archiveSize(), flow + " " + at + ": " + StatusReport.bytes(run.archiveSize())));
                }
            }
            figure(flow + "-duration", flow + ": duration of each successful run",
                    BackupChart.svg(flow + "-duration", flow + " durations, seconds", durations, from, r.at(), false,
                            StatusPage::secondsLabel));
            figure(flow + "-size", flow + ": size of each archive written",
                    BackupChart.svg(flow + "-size", flow + " archive sizes", sizes, from, r.at(), true,
                            v -> StatusReport.bytes((long) v)));
        }
        out.append("</div>\n");
        out.append("<table id=\"backup-runs\"><caption>Backup runs in the last ").append(Status.CHART_WINDOW.toDays())
                .append(" days, as charted</caption><thead><tr><th scope=\"col\">Flow</th><th scope=\"col\">Successful</th>")
                .append("<th scope=\"col\">Nothing to do</th><th scope=\"col\">Failed</th><th scope=\"col\">Median duration</th>")
                .append("<th scope=\"col\">Longest</th><th scope=\"col\">Newest archive size</th></tr></thead><tbody>\n");
        for (String flow : Status.CHARTED_FLOWS) {
            int ok = 0;
            int idle = 0;
            int failed = 0;
            List<Duration> took = new ArrayList<>();
            Long newestSize = null;
            for (SizedRun run : runs(flow)) {
                switch (run.run().outcome()) {
                    case "ok" -> {
                        ok++;
                        if (StatusReport.took(run) != null) took.add(StatusReport.took(run));
                        if (run.archiveSize() != null) newestSize = run.archiveSize();
                    }
                    case "nothing-to-do" -> idle++;
                    default -> failed++;
                }
            }
            took.sort(null);
            out.append("<tr data-flow=\"").append(e(flow)).append("\"><th scope=\"row\">").append(e(flow)).append("</th><td>").append(ok)
                    .append("</td><td>").append(idle).append("</td><td").append(failed > 0 ? " class=\"fail\">" : ">").append(failed)
                    .append("</td><td>").append(took.isEmpty() ? "-" : seconds(took.get(took.size() / 2))).append("</td><td>")
                    .append(took.isEmpty() ? "-" : seconds(took.get(took.size() - 1))).append("</td><td>")
                    .append(newestSize == null ? "-" : e(StatusReport.bytes(newestSize))).append("</td></tr>\n");
        }
        out.append("</tbody></table>\n");
    }

    private List<SizedRun> runs(String flow) {
        return r.backupRuns().stream().filter(x -> x.run().flow().equals(flow)).toList();
    }

    private void figure(String id, String caption, String svg) {
        out.append("<figure id=\"").append(e(id)).append("\"><figcaption>").append(e(caption)).append("</figcaption>").append(svg)
                .append("</figure>\n");
    }

    private static String seconds(Duration d) {
        return secondsLabel(d.toMillis() / 1000.0);
    }

    private static String secondsLabel(double s) {
        if (s >= 120) return Math.round(s / 60) + " min";
        if (s >= 10 || s == Math.rint(s)) return Math.round(s) + " s";
        return String.format(Locale.ROOT, s >= 1 ? "%.1f s" : "%.2f s", s);
    }

    private static String e(String s) {
        return Html.escape(s);
    }
}
