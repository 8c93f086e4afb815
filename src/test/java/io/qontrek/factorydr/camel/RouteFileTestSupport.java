package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.offsite.S3TestServer;
import io.qontrek.factorydr.runtime.SampleRuntime;
import io.qontrek.factorydr.signing.TestSigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/**
 * In-process tests of route files (camel-test-main-junit5): the project's routes/ files under test,
 * beside the ones every flow names (errors, heartbeat, signatures), in a Camel Main wired as the
 * command line wires it: the real beans (FlowBeans), properties from Settings, a generated sample
 * runtime with real SQLite databases, a fresh one for each test.
 */
abstract class RouteFileTestSupport extends CamelMainTestSupport {
    static final String ARCHIVE_KEY = "route-test archive key";
    static final String SIGNING_SECRET = "route-test signing secret";
    static final String TOWER_SECRET = "route-test tower";
    static final Secrets SECRETS = new Secrets(TestSigningKey.with(Map.of(Secrets.ARCHIVE_KEY, ARCHIVE_KEY,
            Secrets.SIGNING_SECRET, SIGNING_SECRET, Secrets.TOWER_SECRET, TOWER_SECRET)));
    /** What every flow names beside its own file: its error handling, its pings, the detached signatures. */
    static final List<String> SHARED = List.of("errors.camel.yaml", "heartbeat.camel.yaml", "signatures.camel.yaml");

    Path tmp;
    Path root;
    /** The S3 API server of a test that called {@link #s3Settings}, else null. */
    S3TestServer s3;
    SampleRuntime.Summary sample;
    Settings settings;

    /** The route files under test, by name in routes/. */
    abstract List<String> routeFiles();

    /** Settings beyond the runtime's root, e.g. S3 or a heartbeat URL. */
    Map<String, String> moreSettings() {
        return Map.of();
    }

    SampleRuntime.Builder runtimeShape() {
        return SampleRuntime.Options.builder().proofs(30).days(2).ledgerRows(20).logMb(0).towerSecret(TOWER_SECRET)
                .end(Instant.now().minusSeconds(600));
    }

    @Override
    protected void doPreSetup() throws Exception {
        tmp = Files.createTempDirectory("route-test");
        root = tmp.resolve("runtime");
        sample = SampleRuntime.generate(root, runtimeShape().build(), null);
        Map<String, String> o = new HashMap<>(moreSettings());
        o.put("factory.root", root.toString());
        // the sample is far under the runbook's 1 MB floor of a full: every full would trip it (ShrinkCheckTest judges it)
        o.putIfAbsent("factory.backup.tripwire.min-archive-bytes", "0");
        settings = SettingsCheck.validate(Settings.load(null, Map.of(), o));
        Properties props = new Properties();
        props.putAll(settings.asMap());
        camelContextConfiguration().withUseOverridePropertiesWithPropertiesComponent(props);
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        List<String> files = new ArrayList<>(routeFiles());
        SHARED.forEach(f -> { if (!files.contains(f)) files.add(f); });
        configuration.withBasePackageScanEnabled(false).withJmxEnabled(false)
                .withRoutesIncludePattern(String.join(",", files.stream().map(f -> "file:" + Path.of("routes", f).toAbsolutePath()).toList()));
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        Flows.bindBeans(registry::bind, settings, SECRETS);
        registry.bind("cliConnectorFactory", CamelCliConnector.none());
    }

    /**
     * Starts a real S3 API server (S3Proxy) for this test, once, and gives the settings that point
     * the routes at it, trying a failed S3 step {@code retries} times.
     */
    Map<String, String> s3Settings(int retries) {
        if (s3 == null) {
            try {
                s3 = S3TestServer.start(Files.createTempDirectory("route-test-s3"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            // the AWS default chain reads these first: the server's test credentials, for this JVM's clients
            System.setProperty("aws.accessKeyId", S3TestServer.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", S3TestServer.SECRET_KEY);
        }
        return Map.of("factory.s3.enabled", "true", "factory.s3.endpoint", s3.endpoint(), "factory.s3.bucket", S3TestServer.BUCKET,
                "factory.s3.region", S3TestServer.REGION, "factory.s3.retries", String.valueOf(retries), "factory.s3.retry-delay-ms", "20");
    }

    @Override
    protected void doPostTearDown() throws Exception {
        if (s3 != null) {
            s3.close();
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        if (tmp != null) {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    RuntimeLayout layout() {
        return RuntimeLayout.of(settings);
    }

    Catalog catalog() {
        return new Catalog(layout().catalogDb());
    }

    /** Sends to a flow's direct: endpoint as the command line does; the exchange comes back with its outcome. */
    Exchange send(String flow, Map<String, Object> headers) {
        return template.send("direct:" + flow, e -> e.getIn().setHeaders(new HashMap<>(headers)));
    }

    /** A full backup through backup-full, which must succeed: the starting point of most tests. */
    void fullBackup() {
        org.assertj.core.api.Assertions.assertThat(send("backup-full", Map.of()).getException()).isNull();
    }

    /** The archive files (not sidecars) under the runtime's archive directory, relative to it. */
    List<String> archives() throws Exception {
        Path dir = layout().archiveDir();
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).filter(p -> p.endsWith(".tar.gz.enc")).sorted().toList();
        }
    }

    /** The alert lines written so far (observe/Alerts: logs/alerts/factory-dr-YYYY-MM-DD.log). */
    List<String> alertLines() throws Exception {
        Path dir = layout().alertsDir();
        if (!Files.isDirectory(dir)) return List.of();
        List<String> lines = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.getFileName().toString().startsWith("factory-dr-")).sorted().toList()) lines.addAll(Files.readAllLines(f));
        }
        return lines;
    }
}
