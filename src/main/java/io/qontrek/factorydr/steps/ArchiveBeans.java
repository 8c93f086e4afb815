package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.archive.EncodingInputStream;
import io.qontrek.factorydr.archive.Gzip;
import io.qontrek.factorydr.archive.OpensslCipher;
import io.qontrek.factorydr.backup.ArchiveExistsException;
import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StagedArchive;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.observe.Alert;
import io.qontrek.factorydr.observe.Alerts;
import io.qontrek.factorydr.restore.UnrecordedArchive;
import java.io.InputStream;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The steps of routes/archive.camel.yaml (archive-store), each a thin adapter onto {@link StagedArchive}:
 * the body goes BackupSet -> (tar) the tar stream -> (gzip, encrypt) each wrapping the stream before it
 * -> (write) the StagedArchive -> (publish) the StoredArchive. The staged archive travels in the
 * exchange property {@value #STAGED}; the run's end, done or failed, closes it (stops what still runs,
 * deletes the scratch). A step whose input is missing fails naming the step to put before it.
 */
final class ArchiveBeans {
    static final String STAGED = "factoryStagedArchive";
    /** The BackupSet a collect step made (FlowBeans), whose scratch a run that fails before its stage step leaves. */
    static final String COLLECTED = "factoryCollectedSet";

    private ArchiveBeans() {}

    static void bindAll(BiConsumer<String, Object> bind, RuntimeLayout layout, Catalog catalog, Secrets secrets, Supplier<Instant> now,
            int gzipThreads, String gzipEngine, Alerts alerts) {
        // stage: a staging directory for the archive; a taken name is refused before any work, unless it
        // may be a day's archive a killed run published and never recorded (judged at publish)
        bind.accept("stage", (Processor) ex -> {
            BackupSet set = body(ex, BackupSet.class, "stage", "a collect step");
            StagedArchive staged = StagedArchive.stage(layout.archiveDir(), set, UnrecordedArchive.mayAdopt(catalog, set));
            ex.setProperty(STAGED, staged);
            ex.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    discard(done);
                }
            });
        });
        // a failed backup's staging and scratch, before its failed run is recorded (errors.camel.yaml): on
        // a full disk they hold the room the record needs; the run's end would delete them only after it
        bind.accept("discardBackup", (Processor) ArchiveBeans::discard);
        // tar -> gzip -> encrypt: each wraps the stream the step before it made; write drains it
        bind.accept("tar", (Processor) ex -> {
            body(ex, BackupSet.class, "tar", "a collect step");
            ex.getMessage().setBody(staged(ex, "tar").tar(progress(ex)));
        });
        bind.accept("gzip", (Processor) ex -> {
            InputStream tar = body(ex, InputStream.class, "gzip", "tar");
            org.slf4j.LoggerFactory.getLogger(ArchiveBeans.class).info("gzip: {}", Gzip.describe(gzipThreads, gzipEngine));
            ex.getMessage().setBody(new EncodingInputStream(tar, out -> Gzip.compressing(out, gzipThreads, gzipEngine)));
        });
        bind.accept("encrypt", (Processor) ex -> ex.getMessage().setBody(
                new EncodingInputStream(body(ex, InputStream.class, "encrypt", "tar"), out -> OpensslCipher.encrypting(out, secrets.archiveKey()))));
        bind.accept("write", (Processor) ex -> {
            StagedArchive staged = staged(ex, "write");
            staged.write(body(ex, InputStream.class, "write", "tar"), secrets.archiveKey());
            ex.getMessage().setBody(staged);
        });
        bind.accept("signManifest", (Processor) ex -> staged(ex, "signManifest").sign(secrets.signingSecret()));
        bind.accept("stageSidecars", (Processor) ex -> staged(ex, "stageSidecars").stageSidecars());
        bind.accept("verifyReadBack", (Processor) ex -> staged(ex, "verifyReadBack").verifyReadBack(secrets.signingSecret()));
        bind.accept("publish", (Processor) ex -> {
            StagedArchive staged = staged(ex, "publish");
            try {
                ex.getMessage().setBody(staged.publish());
            } catch (ArchiveExistsException taken) {
                // a run killed between publishing and recording may have taken the name: its archive may be this one
                ex.getMessage().setBody(UnrecordedArchive.adoptOrRefuse(layout.archiveDir(), catalog, staged.set(), secrets.archiveKey(),
                        secrets.signingSecret(), now.get(), taken));
                staged.close();
            }
        });

        // record: the catalog knows every archive and every run, under the flow the run entered by
        bind.accept("recordArchive", (Processor) ex -> {
            StoredArchive a = body(ex, StoredArchive.class, "recordArchive", "publish");
            catalog.record(a.catalogEntry(), a.fileRows(), a.manifest().databases(), a.tripwires());
            catalog.recordRun(ex.getFromRouteId(), FlowBeans.started(ex), now.get().toString(), "ok", a.manifest().backupId(),
                    a.file().toString());
        });
        // one alert per finding of the backup's tripwire, as recorded (with the backup it holds)
        bind.accept("alertTripwires", (Processor) ex -> {
            StoredArchive a = body(ex, StoredArchive.class, "alertTripwires", "publish");
            for (Catalog.Tripwire t : catalog.tripwiresOf(a.manifest().backupId())) {
                alerts.raise(new Alert(now.get(), ex.getFromRouteId(), Alert.CRITICAL,
                        ex.getFromRouteId() + " tripwire: " + t.finding() + "; " + t.hold()));
            }
        });
    }

    /** What the run collected and staged goes: the stream it left unread, the staging, the set's scratch. Again, a no-op. */
    private static void discard(Exchange ex) {
        StagedArchive staged = ex.getProperty(STAGED, StagedArchive.class);
        if (staged != null) {
            // a stream a failed run left unread (the gzip's threads run until it is closed)
            if (ex.getMessage().getBody() instanceof InputStream unread) {
                try {
                    unread.close();
                } catch (java.io.IOException | RuntimeException e) {
                    // the run already failed; its own error is the one reported
                }
            }
            staged.close();
        }
        BackupSet set = ex.getProperty(COLLECTED, BackupSet.class);
        if (set != null) set.discard();
    }

    private static StagedArchive staged(Exchange ex, String step) {
        StagedArchive s = ex.getProperty(STAGED, StagedArchive.class);
        if (s == null) {
            throw new IllegalStateException("route " + ExchangeHelper.getAtRouteId(ex) + ": the " + step + " step needs an archive staged first;"
                    + " put the stage step before it");
        }
        return s;
    }

    /** The body as the step needs it, or a one-line error naming the step that makes it. */
    private static <T> T body(Exchange ex, Class<T> type, String step, String after) {
        Object b = ex.getMessage().getBody();
        if (type.isInstance(b)) return type.cast(b);
        throw new IllegalStateException("route " + ExchangeHelper.getAtRouteId(ex) + ": the " + step + " step takes " + article(type.getSimpleName())
                + ", but the body is " + (b == null ? "empty" : article(b.getClass().getSimpleName())) + "; put it after " + after);
    }

    private static String article(String noun) {
        return ("AEIOU".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private static ProgressListener progress(Exchange ex) {
        ProgressListener p = ex.getProperty(FlowBeans.PROGRESS, ProgressListener.class);
        return p == null ? ProgressListener.NONE : p;
    }
}
