package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.backup.BackupCollector;
import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.ConfigSelection;
import io.qontrek.factorydr.backup.ShrinkCheck;
import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.observe.Alerts;
import io.qontrek.factorydr.restore.Leftovers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Every bean the routes call, wired in one place. Each is a thin adapter from an exchange to one
 * mechanism; the flow itself (which step follows which) lives in routes/*.camel.yaml.
 *
 * <p>Headers the routes use: {@code factoryDate} (YYYY-MM-DD, the day a daily archive covers;
 * default yesterday, UTC) and {@code factoryArchive} (an archive file to verify).
 */
public final class FlowBeans {
    public static final String DATE = "factoryDate";
    /** Exchange property carrying the caller's progress listener (Flows sets it). */
    public static final String PROGRESS = "factoryProgress";
    public static final String ARCHIVE = "factoryArchive";

    private FlowBeans() {}

    /** @param settingsCheck how the settings are checked (camel/SettingsCheck), for healthz's drift check */
    public static void bindAll(BiConsumer<String, Object> bind, Settings settings, Secrets secrets, UnaryOperator<Settings> settingsCheck) {
        RuntimeLayout layout = RuntimeLayout.of(settings);
        java.time.Clock clock = settings.clock();
        java.util.function.Supplier<Instant> now = () -> Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
        Catalog catalog = new Catalog(layout.catalogDb());
        ConfigSelection configSelection = new ConfigSelection(
                settings.getList("factory.backup.secret-fields"), secrets.knownValues());
        BackupCollector collector = new BackupCollector(layout, configSelection,
                Duration.ofHours(settings.getInt("factory.backup.logs-max-age-hours", 1, 24 * 365)),
                settings.getInt("factory.backup.sqlite-busy-timeout-seconds", 1, 3600));
        int gzipThreads = settings.getInt("factory.backup.gzip-threads", 1, 64);
        String gzipEngine = settings.get("factory.backup.gzip-engine", "auto");
        long minArchiveBytes = settings.getInt(ShrinkCheck.MIN_ARCHIVE_BYTES, 0, Integer.MAX_VALUE);
        Alerts alerts = Alerts.from(settings, layout, secrets);

        // sweep: what runs that are gone left behind (staging, scratch, half-published archives); a
        // runtime a killed restore left half-swapped is refused, for a restore to take back
        bind.accept("sweepLeftovers", (Processor) ex -> Leftovers.sweep(layout, layout.archiveDir(), false));
        // adopt: a full or incremental a killed run published but never recorded (under the chain's lock)
        bind.accept("adoptUnrecorded", (Processor) ex -> io.qontrek.factorydr.restore.UnrecordedArchive.adoptChain(layout.archiveDir(),
                catalog, secrets.archiveKey(), secrets.signingSecret()));

        // collect: what each archive holds
        bind.accept("collectFullBackup", (Processor) ex -> collected(ex, collector.full(now.get())));
        bind.accept("collectIncremental", (Processor) ex -> collected(ex, collector.incremental(now.get(), catalog)));
        bind.accept("collectProofDay", (Processor) ex -> collected(ex, collector.proofDay(day(ex, now.get()), now.get())));
        bind.accept("collectAlerts", (Processor) ex -> collected(ex, collector.alerts(day(ex, now.get()), now.get())));

        // check: a full or incremental that sees the runtime shrink is a tripwire; what it can judge only
        // once the archive exists (snapshots, sizes) it judges as the tar ends and the file is written
        bind.accept("checkShrink", (Processor) ex -> {
            BackupSet set = ex.getMessage().getBody(BackupSet.class);
            body(ex, set.withShrinkCheck(ShrinkCheck.start(catalog, set, minArchiveBytes)));
        });

        // stage -> tar -> gzip -> encrypt -> write -> sign -> sidecars -> read back -> publish -> record (archive-store)
        ArchiveBeans.bindAll(bind, layout, catalog, secrets, now, gzipThreads, gzipEngine, alerts);

        // under the flow the run is: the one the exchange entered, or a sub-flow that keeps runs of its own
        // (the drill's restores), which the catalog keeps apart from its caller's
        bind.accept("recordRun", (Processor) ex -> catalog.recordRun(FailedRuns.runOf(ex), FailedRuns.startedOf(ex), now.get().toString(),
                "ok", null, String.valueOf(ex.getMessage().getBody())));
        bind.accept("recordNothingToDo", (Processor) ex -> {
            // a set that goes no further keeps no scratch (an incremental's unchanged database deltas)
            if (ex.getMessage().getBody() instanceof BackupSet set) WorkDir.delete(set.workDir());
            catalog.recordRun(ex.getFromRouteId(), started(ex), now.get().toString(), "nothing-to-do", null, null);
        });
        bind.accept("recordFailedRun", new FailedRuns(catalog, now));

        SignatureBeans.bindAll(bind, layout, secrets);
        RestoreBeans.bindAll(bind, layout, catalog, secrets, now, settings.getBoolean("factory.s3.enabled"));
        VerifyBeans.bindAll(bind, layout, catalog, secrets, now);
        RecoveryBeans.bindAll(bind, settings, layout, catalog, secrets, now);

        // verify
        bind.accept("verifyArchive", (Processor) ex -> body(ex, new ArchiveVerifier().verify(
                Path.of(ex.getMessage().getHeader(ARCHIVE, String.class)), secrets.archiveKey(), secrets.signingSecret())));

        Processor offsiteFailure = OffsiteBeans.bindAll(bind, settings, secrets);
        ApiBeans.bindAll(bind, settings, secrets, now, settingsCheck);
        HeartbeatBeans.bindAll(bind, settings, secrets);
        Processor retentionFailure = RetentionBeans.bindAll(bind, settings);
        // errors.camel.yaml: each explains the failures of its own routes, and leaves the others as thrown
        bind.accept("explainFailure", (Processor) ex -> {
            ex.setProperty(FailedRuns.FAILED_FLOW, FailedRuns.runOf(ex));
            offsiteFailure.process(ex);
            retentionFailure.process(ex);
        });
    }

    private static void body(Exchange ex, Object body) {
        ex.getMessage().setBody(body);
    }

    /** The body, and kept aside for the error handler's discardBackup, whatever the body becomes. */
    private static void collected(Exchange ex, BackupSet set) {
        ex.setProperty(ArchiveBeans.COLLECTED, set);
        body(ex, set);
    }

    static String started(Exchange ex) {
        return Instant.ofEpochMilli(ex.getClock().getCreated()).truncatedTo(ChronoUnit.SECONDS).toString();
    }


    /** The day a daily archive covers: the factoryDate header, else yesterday (UTC). */
    private static LocalDate day(Exchange ex, Instant now) {
        String d = ex.getMessage().getHeader(DATE, String.class);
        return d == null || d.isBlank() ? LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(1) : LocalDate.parse(d);
    }
}
