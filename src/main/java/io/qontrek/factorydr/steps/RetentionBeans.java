package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.offsite.OffsiteException;
import io.qontrek.factorydr.offsite.OffsiteFailures;
import io.qontrek.factorydr.offsite.OffsiteSettings;
import io.qontrek.factorydr.retention.ArchiveRemoval;
import io.qontrek.factorydr.retention.RetentionPlan;
import io.qontrek.factorydr.retention.RetentionPlanner;
import io.qontrek.factorydr.retention.RetentionPolicy;
import io.qontrek.factorydr.retention.RetentionReport;
import io.qontrek.factorydr.retention.RuntimeLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The beans of routes/retention.camel.yaml: plan from the catalog, then per archive its S3 objects,
 * its local files and its catalog row, then the run's report.
 *
 * <p>Headers: {@code factoryAsOf} (YYYY-MM-DD: judge ages as on that day; default today, UTC) and
 * {@code factoryDryRun} (true: plan and report only; nothing is changed or recorded).
 */
public final class RetentionBeans {
    public static final String AS_OF = "factoryAsOf";
    public static final String DRY_RUN = "factoryDryRun";
    static final String PLAN_PROP = "retentionPlan";
    static final String REMOVAL_PROP = "retentionRemoval";
    static final String LOCAL_PROP = "retentionLocal";
    static final String LOGS_PROP = "retentionRuntimeLogs";
    static final String STATE_PROP = "retentionState";

    /** Shared by the exchange and the split's copies (properties are copied by reference): the archive being removed. */
    static final class RunState {
        volatile RetentionPlan.Removal current;
    }

    private RetentionBeans() {}

    /** One archive removed: its decision, the local files that were there, and the S3 objects deleted. */
    public record Removed(RetentionPlan.Removal removal, List<ArchiveRemoval.Removed> local, int s3Objects) {}

    /** Binds the beans; returns the explainer of retention's failures that errors.camel.yaml's explainFailure runs. */
    public static Processor bindAll(BiConsumer<String, Object> bind, Settings settings) {
        RuntimeLayout layout = RuntimeLayout.of(settings);
        Catalog catalog = new Catalog(layout.catalogDb());
        RetentionPolicy policy = RetentionPolicy.from(settings);
        OffsiteSettings s3 = OffsiteSettings.from(settings);
        java.time.Clock clock = settings.clock();

        bind.accept("retentionPlan", (Processor) ex -> {
            String day = ex.getMessage().getHeader(AS_OF, String.class);
            Instant asOf = day == null || day.isBlank() ? Instant.now(clock) : LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant();
            RetentionPlan plan = RetentionPlanner.plan(catalog.archives(), catalog::forEachFile, asOf, policy, catalog.tripwires(false));
            ex.setProperty(PLAN_PROP, plan);
            ex.setProperty(STATE_PROP, new RunState());
            ex.setProperty(LOGS_PROP, policy.pruneRuntimeLogs()
                    ? RuntimeLogs.expired(layout.logsDir(), plan.asOf(), policy.logsDays()) : List.<Path>of());
            ex.getMessage().setBody(plan);
        });
        bind.accept("retentionDryRun", (Processor) ex -> ex.getMessage().setBody(new RetentionReport(plan(ex), true, List.of(),
                0, 0, 0, s3.enabled() ? s3.where() : null, logs(ex), 0)));

        // per archive: its S3 keys (archive first, then the sidecars, ArchiveRemoval.names), then local files, then the catalog row
        bind.accept("retentionObjectKeys", (Processor) ex -> {
            RetentionPlan.Removal r = ex.getMessage().getBody(RetentionPlan.Removal.class);
            ex.setProperty(REMOVAL_PROP, r);
            RunState state = ex.getProperty(STATE_PROP, RunState.class);
            if (state != null) state.current = r;
            ex.getMessage().setHeader(FlowBeans.ARCHIVE, r.entry().name());
            ex.getMessage().setBody(ArchiveRemoval.names(r.entry().name()).stream().map(s3::key).toList());
        });
        bind.accept("retentionRemoveLocal", (Processor) ex -> ex.setProperty(LOCAL_PROP,
                ArchiveRemoval.remove(layout.archiveDir(), removal(ex).entry().name())));
        bind.accept("retentionForget", (Processor) ex -> {
            RetentionPlan.Removal r = removal(ex);
            catalog.forget(r.entry().backupId());
            @SuppressWarnings("unchecked")
            List<ArchiveRemoval.Removed> local = ex.getProperty(LOCAL_PROP, List.class);
            ex.getMessage().setBody(new Removed(r, local, s3.enabled() ? ArchiveRemoval.names(r.entry().name()).size() : 0));
        });
        bind.accept("retentionRemoved", new GroupedBodyAggregationStrategy());

        bind.accept("retentionPruneRuntimeLogs", (Processor) ex -> {
            for (Path p : logs(ex)) Files.deleteIfExists(p);
        });
        bind.accept("retentionRecord", (Processor) ex -> {
            List<?> body = ex.getMessage().getBody(List.class);
            List<Removed> removed = body == null ? List.of() : body.stream().filter(Removed.class::isInstance).map(Removed.class::cast).toList();
            RetentionPlan plan = plan(ex);
            int offsiteLeft = s3.enabled() ? 0 : (int) removed.stream().filter(r -> r.removal().entry().offsiteAt() != null).count();
            RetentionReport report = new RetentionReport(plan, false, removed.stream().map(Removed::removal).toList(),
                    removed.stream().mapToLong(r -> r.local().size()).sum(),
                    removed.stream().flatMap(r -> r.local().stream()).mapToLong(ArchiveRemoval.Removed::size).sum(),
                    removed.stream().mapToLong(Removed::s3Objects).sum(), s3.enabled() ? s3.where() : null, logs(ex), offsiteLeft);
            catalog.recordRun("retention", started(ex), second(Instant.now(clock)), report.nothingToDo() ? "nothing-to-do" : "ok",
                    null, report.summary());
            ex.getMessage().setBody(report);
        });

        // failure: one line naming the archive (and for S3, the bucket and endpoint); what is left is still catalogued
        return ex -> {
            if (!"retention".equals(org.apache.camel.support.ExchangeHelper.getAtRouteId(ex))) return;
            Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            RunState state = ex.getProperty(STATE_PROP, RunState.class);
            RetentionPlan.Removal r = state == null ? null : state.current;
            String name = r == null ? null : r.entry().name();
            Exception reported = e;
            OffsiteException said = find(e, OffsiteException.class);
            SdkException sdk = find(e, SdkException.class);
            java.io.IOException io = find(e, java.io.IOException.class);
            if (said != null) {
                reported = said;
            } else if (name != null && (sdk != null || io != null)) {
                String where = sdk != null ? " (" + s3.where() + ")" : "";
                reported = new OffsiteException("retention stopped at " + name + ": " + OffsiteFailures.reason(sdk != null ? sdk : io)
                        + where + "; it is still catalogued and its local copy is "
                        + (sdk != null ? "untouched" : "perhaps partly removed")
                        + "; archives removed before it stay removed; run 'factory-dr retention' again to finish", e);
            }
            ex.setProperty(Exchange.EXCEPTION_CAUGHT, reported);
        };
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }

    private static RetentionPlan plan(Exchange ex) {
        return ex.getProperty(PLAN_PROP, RetentionPlan.class);
    }

    private static RetentionPlan.Removal removal(Exchange ex) {
        return ex.getProperty(REMOVAL_PROP, RetentionPlan.Removal.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Path> logs(Exchange ex) {
        List<Path> l = ex.getProperty(LOGS_PROP, List.class);
        return l == null ? List.of() : l;
    }

    private static String started(Exchange ex) {
        return second(Instant.ofEpochMilli(ex.getClock().getCreated()));
    }

    private static String second(Instant i) {
        return i.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
