package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.steps.RetentionBeans;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.retention.RetentionPlan;
import io.qontrek.factorydr.retention.RetentionReport;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr retention [--dry-run] [--as-of=YYYY-MM-DD]}: the retention policy, through route {@code retention}. */
@Command(name = "retention", description = "Remove expired archives locally and on S3 (proofs 90 d, full backups 30 d, "
        + "alert logs 7 d, recovery proofs never), printing each decision and why.")
final class RetentionCommand implements Callable<Integer> {
    @ParentCommand
    FactoryDr app;

    @Option(names = "--dry-run", description = "Print the plan; delete and record nothing.")
    boolean dryRun;

    @Option(names = "--as-of", paramLabel = "YYYY-MM-DD", description = "Judge ages as on that day (default: today, UTC).")
    LocalDate asOf;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> headers = new LinkedHashMap<>();
        if (asOf != null) headers.put(RetentionBeans.AS_OF, asOf.toString());
        headers.put(RetentionBeans.DRY_RUN, dryRun);
        RetentionReport r;
        RuntimeLayout.of(app.settings()).requireArchive();
        // no secret is needed: retention reads the catalog and deletes files, it never opens an archive
        try (Flows flows = Flows.start(app.settings(), app.secrets(), "retention")) {
            r = (RetentionReport) flows.run("retention", headers, ProgressListener.NONE);
        }
        RetentionPlan plan = r.plan();
        if (app.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("as_of", plan.asOf().toString());
            o.put("dry_run", r.dryRun());
            o.put("policy", Map.of("proof_days", plan.policy().proofDays(), "full_days", plan.policy().fullDays(),
                    "logs_days", plan.policy().logsDays(), "prune_runtime_logs", plan.policy().pruneRuntimeLogs()));
            o.put("remove", plan.removals().stream().map(x -> decision(x.entry().name(), x.reason())).toList());
            o.put("keep", plan.kept().stream().map(x -> decision(x.entry().name(), x.reason())).toList());
            o.put("runtime_logs", r.runtimeLogs().stream().map(Object::toString).toList());
            o.put("removed", r.removed().stream().map(x -> x.entry().name()).toList());
            o.put("local_files", r.localFiles());
            o.put("local_bytes", r.localBytes());
            o.put("s3_objects", r.s3Objects());
            o.put("summary", r.summary());
            Output.json(o);
            return FactoryDr.OK;
        }
        var out = Output.out();
        out.println("retention " + (r.dryRun() ? "dry run " : "") + "as of " + plan.asOf() + " (" + plan.policy().describe() + ")");
        for (RetentionPlan.Removal x : plan.removals()) out.println("  remove " + x.entry().name() + "  " + x.reason());
        for (RetentionPlan.Kept x : plan.kept()) out.println("  keep   " + x.entry().name() + "  " + x.reason());
        for (var p : r.runtimeLogs()) out.println("  prune  " + p + "  runtime log unchanged for more than " + plan.policy().logsDays() + " days");
        out.println(r.summary());
        return FactoryDr.OK;
    }

    private static Map<String, String> decision(String name, String reason) {
        return Map.of("name", name, "reason", reason);
    }
}
