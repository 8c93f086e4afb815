package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.steps.FlowBeans;
import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.offsite.S3TestServer;
import io.qontrek.factorydr.retention.RetentionReport;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * routes/retention.camel.yaml in process, 100 days after an application run (Flows, clock pinned by
 * factory.now) wrote two fulls and a day's proof archive: a dry run removes nothing; retention removes
 * the older full and the proof archive with their sidecars and from the catalog, and keeps the newest
 * full, locally and in S3 (S3Proxy); with S3 down it stops before removing anything locally, with one alert.
 */
class RetentionRoutesTest extends RouteFileTestSupport {
    static final Instant THEN = Instant.now().minus(Duration.ofDays(100)).truncatedTo(ChronoUnit.SECONDS);

    @Override
    List<String> routeFiles() {
        return List.of("retention.camel.yaml");
    }

    @Override
    SampleRuntime.Builder runtimeShape() {
        return super.runtimeShape().end(THEN.minusSeconds(600));
    }

    /** S3 on, at a real S3 API server (S3Proxy), and the clock 100 days on. */
    @Override
    Map<String, String> moreSettings() {
        Map<String, String> o = new java.util.HashMap<>(s3Settings());
        o.put("factory.now", THEN.plus(Duration.ofDays(100)).toString());
        return o;
    }

    private Map<String, String> s3Settings() {
        Map<String, String> o = new java.util.HashMap<>(s3Settings(0));
        o.put("factory.governance.offsite-required", "false");
        return o;
    }

    private List<String> offsite() {
        return s3.client().listObjectsV2(b -> b.bucket(S3TestServer.BUCKET)).contents().stream().map(o -> o.key())
                .filter(k -> k.endsWith(".tar.gz.enc")).sorted().toList();
    }

    @Override
    protected void doPreSetup() throws Exception {
        super.doPreSetup();
        // 100 days ago: two fulls an hour apart, and the first day's proofs (also in both fulls)
        for (Instant at : List.of(THEN, THEN.plusSeconds(3600))) {
            Map<String, String> o = new java.util.HashMap<>(s3Settings());
            o.putAll(Map.of("factory.root", root.toString(), "factory.now", at.toString(), "factory.backup.tripwire.min-archive-bytes", "0"));
            Settings then = SettingsCheck.validate(Settings.load(null, Map.of(), o));
            try (Flows flows = Flows.start(then, SECRETS, "backup-full", "proof-daily-archive")) {
                flows.run("backup-full", Map.of(), ProgressListener.NONE);
                if (at.equals(THEN)) flows.run("proof-daily-archive", Map.of(FlowBeans.DATE, sample.firstDay().toString()), ProgressListener.NONE);
            }
        }
        assertThat(catalog().archives()).hasSize(3);
        assertThat(catalog().notOffsite()).isEmpty();
    }

    private List<String> kinds() {
        return catalog().archives().stream().map(CatalogEntry::name).map(n -> n.substring(0, n.indexOf('/'))).sorted().toList();
    }

    @Test
    void aDryRunRemovesNothingAndRetentionRemovesWhatExpired() throws Exception {
        List<String> before = archives();
        assertThat(offsite()).hasSize(3);
        Exchange dry = send("retention", Map.of("factoryDryRun", true));
        assertThat(dry.getException()).isNull();
        assertThat(dry.getMessage().getBody(RetentionReport.class).plan().removals()).hasSize(2);
        assertThat(archives()).isEqualTo(before);

        Exchange ex = send("retention", Map.of());
        assertThat(ex.getException()).isNull();
        assertThat(ex.getMessage().getBody(RetentionReport.class).removed()).hasSize(2);
        assertThat(kinds()).containsExactly("full");
        String kept = catalog().archives().get(0).name();
        assertThat(archives()).containsExactly(kept);
        try (var s = Files.walk(layout().archiveDir())) {
            assertThat(s.filter(Files::isRegularFile).map(p -> layout().archiveDir().relativize(p).toString())
                    .filter(n -> n.startsWith("full/") || n.startsWith("proof/")).sorted().toList())
                    .allMatch(n -> n.startsWith(kept));
        }
        assertThat(catalog().runs("retention")).extracting(Catalog.RunRow::outcome).containsExactly("ok");
        assertThat(offsite()).containsExactly("factory-runtime/" + kept);
    }

    @Test
    void withS3DownRetentionStopsBeforeAnythingLocalGoes() throws Exception {
        List<String> before = archives();
        s3.stop();
        Exchange ex = send("retention", Map.of());
        assertThat(ex.getException()).isNotNull();
        assertThat(archives()).isEqualTo(before);
        assertThat(catalog().archives()).hasSize(3);
        assertThat(catalog().runs("retention")).extracting(Catalog.RunRow::outcome).containsExactly("failed");
        assertThat(alertLines()).singleElement().asString().contains("retention");
    }
}
