package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.observe.Check;
import io.qontrek.factorydr.observe.Status;
import io.qontrek.factorydr.observe.StatusReport;
import io.qontrek.factorydr.proofs.DrillProof;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code factory-dr status}: the status page's summary on a terminal, from the same {@link Status} the
 * service's API asks, so it prints the verdicts GET /api/mcp/governance would give for this runtime.
 */
@Command(name = "status", description = {"The state of the backups: every governance gate, the health checks, the newest",
    "archive of each kind, RPO and RTO against the objectives, the offsite lag and the last drill (the status page",
    "of serve, GET /, on a terminal). Exit 0 when every gate passes, 1 when one fails."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    FactoryDr app;

    @Override
    public Integer call() {
        var settings = app.settings();
        // a mistyped --root must not read as "every gate fails", nor leave an empty catalog behind
        RuntimeLayout.of(settings).requireArchive();
        Status status = new Status(settings, app.secrets());
        Instant now = Instant.now(settings.clock());
        // no running service to ask here: its own checks (routes, route edits, configuration drift) are serve's
        StatusReport r = status.report(now, status.governance(now), status.health());
        if (app.json) {
            Output.json(r.toJson());
        } else {
            print(r, Output.out());
        }
        return r.governance().pass() ? FactoryDr.OK : FactoryDr.FAILED;
    }

    static void print(StatusReport r, PrintStream out) {
        long passing = r.governance().gates().stream().filter(CheckResult::pass).count();
        out.printf("governance %s: %d of %d gates pass (%s, %s)%n", r.governance().pass() ? "PASS" : "FAIL", passing,
                r.governance().gates().size(), r.root(), r.at().truncatedTo(ChronoUnit.SECONDS));
        for (CheckResult g : r.governance().gates()) out.printf("  %-4s %-13s %s%n", g.pass() ? "ok" : "FAIL", g.name(), g.detail());
        out.printf("health %s (serve adds its routes, route edits and configuration drift)%n", r.health().status());
        for (Check c : r.health().checks()) {
            out.printf("  %-9s %-10s %s%n", c.status(), c.name(), c.detail());
        }
        out.println("newest archives:");
        if (r.newestArchives().isEmpty()) out.println("  none in the catalog");
        for (CatalogEntry a : r.newestArchives()) {
            out.printf("  %-12s %-45s %s ago, %s, %s%n", a.type(), a.name(), StatusReport.human(r.age(a.createdAt())),
                    StatusReport.bytes(a.size()), a.offsiteAt() == null ? "not offsite yet" : "offsite " + a.offsiteAt());
        }
        StatusReport.Rpo rpo = r.rpo();
        var oldest = rpo.oldest();
        out.printf("RPO now %s, objective %s: %s%s%n", StatusReport.human(rpo.now(r.at())), StatusReport.human(rpo.objective()),
                rpo.met(r.at()) ? "met" : "NOT MET", oldest == null ? " (a kind of data has no recovery point)"
                        : " (oldest: " + oldest.kind() + ", " + oldest.what() + ")");
        DrillProof.Signed drill = r.drill().proof();
        out.printf("RTO %s, objective %s: %s%n", r.rto() == null ? "not measured" : String.format("%.1f s", r.rto().toMillis() / 1000.0),
                StatusReport.human(r.rtoObjective()), r.rtoMet() ? "met (measured by drill " + drill.drillId() + ")"
                        : r.rto() == null ? "NOT MET (no drill has measured it)" : "NOT MET (measured by drill " + drill.drillId() + ")");
        StatusReport.Offsite off = r.offsite();
        if (!off.enabled()) {
            out.println("offsite copies disabled (factory.s3.enabled=false)");
        } else if (off.waiting() == 0) {
            out.printf("offsite lag 0: every archive is offsite%s%n", off.newestCopyAt() == null ? "" : " (newest copy " + off.newestCopyAt() + ")");
        } else {
            out.printf("offsite lag %s: %d archive(s) waiting, oldest %s%n", StatusReport.human(off.lag(r.at())), off.waiting(),
                    off.oldestWaiting().name());
        }
        if (drill == null) {
            out.printf("last drill: none (%s)%n", r.drill().detail());
        } else {
            out.printf("last drill: %s %s ago (%s): %s%n", drill.passed() ? "passed" : "FAILED",
                    StatusReport.human(Duration.between(drill.finishedAt(), r.at())), drill.file().getFileName(), drill.detail());
        }
    }
}
