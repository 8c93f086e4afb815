package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.offsite.CatchUpReport;
import io.qontrek.factorydr.offsite.OffsiteArchive;
import io.qontrek.factorydr.offsite.OffsiteCatalog;
import io.qontrek.factorydr.offsite.OffsiteCopy;
import io.qontrek.factorydr.offsite.OffsiteDownload;
import io.qontrek.factorydr.offsite.OffsiteException;
import io.qontrek.factorydr.offsite.OffsiteFailures;
import io.qontrek.factorydr.offsite.OffsiteObject;
import io.qontrek.factorydr.offsite.OffsiteSettings;
import io.qontrek.factorydr.offsite.S3Clients;
import io.qontrek.factorydr.offsite.StoredObjectCheck;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import org.apache.camel.support.ExchangeHelper;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The beans of routes/offsite.camel.yaml, wired in one place: the S3 client and the options the
 * aws2-s3 endpoints take by reference, and thin adapters from exchanges to the offsite mechanisms.
 *
 * <p>Headers: {@code factoryArchive} (an archive's name relative to the archive directory) and
 * {@code factoryTarget} (where a download goes; default the archive directory).
 */
public final class OffsiteBeans {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OffsiteBeans.class);
    public static final String TARGET = "factoryTarget";
    static final String ARCHIVE_PROP = "offsiteArchive";
    static final String TO_UPLOAD_PROP = "offsiteToUpload";
    static final String OBJECT_PROP = "offsiteObject";
    static final String DOWNLOAD_PROP = "offsiteDownload";
    static final String ITEM_PROP = "offsiteItem";
    static final String CATALOG_PROP = "offsiteCatalog";
    static final String STARTED_PROP = FailedRuns.STARTED;
    /** The routes whose failures {@link #explain} puts in one line naming the bucket and the endpoint. */
    private static final java.util.Set<String> ROUTES = java.util.Set.of("offsite-upload", "offsite-download", "catalog-rebuild-s3");

    private OffsiteBeans() {}

    /** The value of {@code make}, computed on the first call and kept. */
    private static <T> Supplier<T> once(Supplier<T> make) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) value = make.get();
                return value;
            }
        };
    }

    /** Binds the beans; returns the explainer of offsite failures that errors.camel.yaml's explainFailure runs. */
    public static Processor bindAll(BiConsumer<String, Object> bind, Settings settings, Secrets secrets) {
        OffsiteSettings s3 = OffsiteSettings.from(settings);
        RuntimeLayout layout = RuntimeLayout.of(settings);
        Catalog catalog = new Catalog(layout.catalogDb());
        // Building the client contacts nothing, but it loads most of the AWS SDK (about a second of a
        // command's start-up), so it is built on first use. It is bound for the aws2-s3 endpoints only
        // when offsite copies are on: with them off no route that uses it runs (the offsite routes do
        // not start; retention and restore call S3 only when factory.s3.enabled=true). The endpoints use
        // lazyStartProducer, so S3 is first contacted by the first upload.
        Supplier<S3Client> client = once(() -> S3Clients.create(s3));
        Supplier<StoredObjectCheck> check = once(() -> new StoredObjectCheck(s3, client.get()));

        // referenced by the aws2-s3 endpoints (#name): values derived from factory.s3.*
        if (s3.enabled()) bind.accept("offsiteS3Client", client.get());
        bind.accept("offsitePartSize", s3.partSizeBytes());
        bind.accept("offsiteSseS3", s3.sse().equals("AES256"));
        bind.accept("offsiteSseKms", s3.sse().equals("aws:kms"));

        // catalog rebuild from the bucket's signed manifests: list a page at a time, then read each manifest
        bind.accept("offsiteCatalogStart", (Processor) ex -> {
            OffsiteCatalog rebuild = new OffsiteCatalog(s3, catalog, secrets.signingSecret());
            ex.setProperty(CATALOG_PROP, rebuild);
            ex.getMessage().setBody(rebuild.nextPage());
        });
        bind.accept("offsiteCatalogPage", (Processor) ex -> {
            OffsiteCatalog rebuild = ex.getProperty(CATALOG_PROP, OffsiteCatalog.class);
            @SuppressWarnings("unchecked")
            List<S3Object> page = ex.getMessage().getBody(List.class);
            rebuild.add(page == null ? List.of() : page);
            ex.getMessage().setBody(rebuild.nextPage());
        });
        bind.accept("offsiteCatalogManifest", (Processor) ex -> ex.getProperty(CATALOG_PROP, OffsiteCatalog.class)
                .record(ex.getMessage().getHeader(AWS2S3Constants.KEY, String.class), ex.getMessage().getMandatoryBody(InputStream.class)));
        bind.accept("offsiteCatalogEnd", (Processor) ex -> ex.getMessage().setBody(ex.getProperty(CATALOG_PROP, OffsiteCatalog.class).finish()));

        // upload: plan (reads the archive once: ETags, and a check against its manifest), skip what is
        // already stored, send, check each stored object, record
        bind.accept("offsitePrepare", (Processor) ex -> {
            StoredArchive stored = ex.getMessage().getBody() instanceof StoredArchive a ? a : null;
            String name = stored != null ? stored.manifest().archive().name() : ex.getMessage().getHeader(FlowBeans.ARCHIVE, String.class);
            if (name == null || name.isBlank()) {
                throw new OffsiteException("route " + ex.getFromRouteId() + ": offsite-upload needs a stored archive as body or the "
                        + FlowBeans.ARCHIVE + " header");
            }
            ex.getMessage().setHeader(FlowBeans.ARCHIVE, name);
            FailedRuns.begin(ex, "offsite-upload", Instant.now());
            OffsiteArchive archive = OffsiteArchive.prepare(layout.archiveDir(), name, s3);
            ex.setProperty(ARCHIVE_PROP, archive);
            ex.getMessage().setBody(archive);
        });
        bind.accept("offsiteNotYetStored", (Processor) ex -> {
            @SuppressWarnings("unchecked")
            List<S3Object> listed = ex.getMessage().getBody(List.class);
            List<OffsiteObject> todo = archive(ex).notYetStored(listed == null ? List.of() : listed, s3.readback());
            ex.setProperty(TO_UPLOAD_PROP, todo);
            ex.getMessage().setBody(todo);
        });
        bind.accept("offsiteCheckStored", (Processor) ex ->
                check.get().check(ex.getProperty(OBJECT_PROP, OffsiteObject.class), ex.getMessage().getBody(HeadObjectResponse.class)));
        bind.accept("offsiteRecord", (Processor) ex -> {
            OffsiteArchive a = archive(ex);
            @SuppressWarnings("unchecked")
            List<OffsiteObject> sent = ex.getProperty(TO_UPLOAD_PROP, List.class);
            Instant started = ex.getProperty(STARTED_PROP, Instant.class);
            catalog.markOffsite(a.name(), Instant.now());
            OffsiteCopy copy = new OffsiteCopy(a.name(), sent.size(), a.objects().size() - sent.size(),
                    sent.stream().mapToLong(OffsiteObject::size).sum(), Duration.between(started, Instant.now()));
            catalog.recordRun("offsite-upload", second(started), second(Instant.now()), "ok", null, copy.summary());
            FailedRuns.end(ex);
            ex.getMessage().setBody(copy);
        });

        // catch-up: every archive the catalog does not know to be offsite, oldest first
        bind.accept("offsitePending", (Processor) ex ->
                ex.getMessage().setBody(catalog.notOffsite().stream().map(e -> e.name()).toList()));
        bind.accept("offsiteCopies", new GroupedBodyAggregationStrategy());
        bind.accept("offsiteCatchUpReport", (Processor) ex -> {
            List<?> body = ex.getMessage().getBody(List.class);
            List<OffsiteCopy> copies = body == null ? List.of()
                    : body.stream().filter(OffsiteCopy.class::isInstance).map(OffsiteCopy.class::cast).toList();
            ex.getMessage().setBody(new CatchUpReport(copies));
        });

        // download: fetch into scratch space, verify, rename into place
        bind.accept("offsiteDownloadPrepare", (Processor) ex -> {
            String name = ex.getMessage().getHeader(FlowBeans.ARCHIVE, String.class);
            if (name == null || name.isBlank()) throw new OffsiteException("offsite-download needs the " + FlowBeans.ARCHIVE + " header");
            String target = ex.getMessage().getHeader(TARGET, String.class);
            Path dir = target == null || target.isBlank() ? layout.archiveDir() : Path.of(target).toAbsolutePath().normalize();
            FailedRuns.begin(ex, "offsite-download", Instant.now());
            OffsiteDownload d = OffsiteDownload.prepare(dir, name, s3);
            ex.setProperty(DOWNLOAD_PROP, d);
            ex.getMessage().setBody(d.items());
        });
        // the bucket's keys by fingerprint: listed, and those the target lacks added to the download
        bind.accept("offsiteKeysListing", (Processor) ex -> ex.getMessage().setHeader(AWS2S3Constants.PREFIX, OffsiteDownload.keysPrefix(s3)));
        bind.accept("offsiteRetiredKeys", (Processor) ex -> {
            @SuppressWarnings("unchecked")
            List<S3Object> listed = ex.getMessage().getBody(List.class);
            OffsiteDownload d = ex.getProperty(DOWNLOAD_PROP, OffsiteDownload.class)
                    .withRetiredKeys(listed == null ? List.of() : listed, s3);
            ex.setProperty(DOWNLOAD_PROP, d);
            ex.getMessage().removeHeader(AWS2S3Constants.PREFIX);
            ex.getMessage().setBody(d.items());
        });
        bind.accept("offsiteSave", (Processor) ex -> OffsiteDownload.save(ex.getMessage().getMandatoryBody(InputStream.class),
                ex.getProperty(ITEM_PROP, OffsiteDownload.Item.class).temp()));
        bind.accept("offsiteOptionalMissing", (Processor) ex -> {
            OffsiteDownload.Item item = ex.getProperty(ITEM_PROP, OffsiteDownload.Item.class);
            Exception missing = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            if (!item.optional()) throw missing;
            LOG.info("offsite-download: {} is not in the bucket ({}): not fetched", item.key(),
                    item.key().endsWith(".sig") ? "an archive written before signatures" : "a key removed from it");
        });
        bind.accept("offsiteVerifyDownload", (Processor) ex -> {
            ex.getMessage().setBody(ex.getProperty(DOWNLOAD_PROP, OffsiteDownload.class)
                    .verifyAndInstall(secrets.archiveKey(), secrets.signingSecret(), s3.where()));
            FailedRuns.end(ex);
        });

        // a failed download leaves nothing behind (offsite-download's onCompletion)
        bind.accept("offsiteDiscardDownload", (Processor) ex -> {
            OffsiteDownload d = ex.getProperty(DOWNLOAD_PROP, OffsiteDownload.class);
            if (d != null) d.discard();
        });

        // failure, after the retries: one line naming the bucket and endpoint (an archive that does not verify says why itself)
        return ex -> {
            String route = ExchangeHelper.getAtRouteId(ex);
            Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            if (!ROUTES.contains(route) || e == null || e instanceof ArchiveException) return;
            String name = ex.getMessage().getHeader(FlowBeans.ARCHIVE, String.class);
            boolean download = "offsite-download".equals(route);
            ex.setProperty(Exchange.EXCEPTION_CAUGHT, new OffsiteException("offsite " + (download ? "download of " : "copy of ") + name
                    + " failed: " + OffsiteFailures.reason(e) + " (" + s3.where() + ")"
                    + (download ? "; nothing was written locally"
                            : "; the local archive is complete and verified; 'factory-dr offsite catch-up' copies it later"), e));
        };
    }

    private static OffsiteArchive archive(Exchange ex) {
        return ex.getProperty(ARCHIVE_PROP, OffsiteArchive.class);
    }

    private static String second(Instant i) {
        return i.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
