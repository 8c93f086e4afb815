package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernancePolicy;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every flow's failure alerts, once, through the real routes in process: a failed drill (which also
 * turns the drill gate red, and which fails when a governance gate does), a failed retention (a
 * refused local removal, an unreachable S3), a failed offsite catch-up. Alerts are read where
 * observe/Alerts writes them, the runtime's logs/alerts/factory-dr-YYYY-MM-DD.log.
 */
class FlowFailuresAlertTest {
    static final String SIGNING_SECRET = "factory-signing 91ab";
    static final Secrets SECRETS = new Secrets(io.qontrek.factorydr.signing.TestSigningKey.with(Map.of(Secrets.ARCHIVE_KEY, "archive-pass phrase 7f3c",
            Secrets.SIGNING_SECRET, SIGNING_SECRET, Secrets.TOWER_SECRET, "tower-signing 55de")));
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private Path runtime() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(50).logMb(0)
                .towerSecret("tower-signing 55de").end(Instant.now().minusSeconds(60)).build(), null);
        return root;
    }

    private static Settings settings(Path root, Map<String, String> more) {
        Map<String, String> o = new HashMap<>(more);
        o.put("factory.root", root.toString());
        // these runtimes are far under the 1 MB floor of a full: its tripwire would be one more alert
        o.putIfAbsent("factory.backup.tripwire.min-archive-bytes", "0");
        return SettingsCheck.validate(Settings.load(null, Map.of(), o));
    }

    /** S3 enabled at an endpoint nobody listens on; no retries. */
    private static Map<String, String> unreachableS3() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        return Map.of("factory.s3.enabled", "true", "factory.s3.endpoint", "http://127.0.0.1:" + closedPort,
                "factory.s3.retries", "0", "factory.s3.retry-delay-ms", "10");
    }

    private static CheckResult drillGate(Settings settings) {
        RuntimeLayout layout = RuntimeLayout.of(settings);
        return Gates.evaluate(layout, new Catalog(layout.catalogDb()), GovernancePolicy.from(settings),
                SIGNING_SECRET.getBytes(StandardCharsets.UTF_8), Instant.now()).gate(Gates.DRILL).orElseThrow();
    }

    /** Every alert raised so far, in order. */
    private static List<JsonNode> alerts(Path root) throws Exception {
        Path dir = root.resolve("logs/alerts");
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("factory-dr-")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static List<JsonNode> alertsOf(Path root, String flow) throws Exception {
        return alerts(root).stream().filter(a -> a.get("flow").asText().equals(flow)).toList();
    }

    @Test
    void aFailedDrillAlertsAndTurnsTheDrillGateRed_andTheDrillFailsWhenAGovernanceGateFails() throws Exception {
        Path root = runtime();
        String[] routes = {"backup-full", "verify-backup", "verify-proofs", "drill-quarterly", "restore", "panic-recover"};

        // offsite copies required and S3 off: the offsite gate fails, so the drill's governance outcome does
        Settings offsiteRequired = settings(root, Map.of());
        try (Flows flows = Flows.start(offsiteRequired, SECRETS, routes)) {
            flows.run("backup-full", Map.of(), ProgressListener.NONE);
            flows.run("verify-backup", Map.of(), ProgressListener.NONE);
            flows.run("verify-proofs", Map.of(), ProgressListener.NONE);
            assertThatThrownBy(() -> flows.run("drill-quarterly", Map.of(), ProgressListener.NONE))
                    .hasMessageContaining("outcome governance-gates-pass failed: offsite FAILED: offsite copies are disabled");
        }
        assertThat(drillGate(offsiteRequired)).satisfies(g -> {
            assertThat(g.pass()).isFalse();
            assertThat(g.detail()).startsWith("drill-quarterly failed at").contains("governance-gates-pass");
        });
        assertThat(alertsOf(root, "drill-quarterly")).singleElement().satisfies(a -> {
            assertThat(a.get("severity").asText()).isEqualTo("critical");
            assertThat(a.get("message").asText()).startsWith("drill-quarterly failed: outcome governance-gates-pass failed");
        });

        // this site keeps no offsite copies: the drill passes, and so does its gate, on the signed proof
        Settings noOffsite = settings(root, Map.of("factory.governance.offsite-required", "false"));
        try (Flows flows = Flows.start(noOffsite, SECRETS, "drill-quarterly")) {
            Catalog catalog = new Catalog(root.resolve("archive/catalog.db"));
            int drills = catalog.runs("drill-quarterly").size();
            int restores = catalog.runs("restore").size();
            int recoveries = catalog.runs("panic-recover").size();
            flows.run("drill-quarterly", Map.of(), ProgressListener.NONE);
            assertThat(drillGate(noOffsite)).satisfies(g -> {
                assertThat(g.pass()).as(g.detail()).isTrue();
                assertThat(g.detail()).startsWith("newest signed drill proof drill-");
            });
            // the drill ran the restore route twice and panic-recover once, on its own exchange: one run of
            // the drill, and those routes' runs under their own names, as a command line's would be
            assertThat(catalog.runs("drill-quarterly")).hasSize(drills + 1).last().extracting(Catalog.RunRow::outcome).isEqualTo("ok");
            assertThat(catalog.runs("restore")).hasSize(restores + 2).allSatisfy(r -> assertThat(r.outcome()).isEqualTo("ok"));
            assertThat(catalog.runs("panic-recover")).hasSize(recoveries + 1).last().extracting(Catalog.RunRow::outcome).isEqualTo("ok");

            // the newest backup corrupted: the next drill fails, alerts, and the gate turns red
            Path full;
            try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
                full = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
            }
            try (RandomAccessFile f = new RandomAccessFile(full.toFile(), "rw")) {
                f.seek(f.length() / 2);
                int b = f.read();
                f.seek(f.length() / 2);
                f.write(b ^ 0x01);
            }
            assertThatThrownBy(() -> flows.run("drill-quarterly", Map.of(), ProgressListener.NONE))
                    .hasMessageContaining("outcome backup-restored failed");
        }
        assertThat(drillGate(noOffsite)).satisfies(g -> {
            assertThat(g.pass()).isFalse();
            assertThat(g.detail()).startsWith("drill-quarterly failed at").contains("outcome backup-restored failed");
        });
        assertThat(alertsOf(root, "drill-quarterly")).as("one alert per failed drill").hasSize(2)
                .last().satisfies(a -> assertThat(a.get("message").asText()).contains("outcome backup-restored failed"));

        // a forged proof changes nothing, and the gate says it was ignored
        Files.writeString(root.resolve("archive/recovery-proofs/drill-x.json"), "{}");
        assertThat(drillGate(noOffsite)).satisfies(g -> {
            assertThat(g.pass()).isFalse();
            assertThat(g.detail()).contains("ignored 1 file that is not a signed drill proof: drill-x.json (unsigned)");
        });
    }

    @Test
    void aFailedRetentionAlertsOnce_whetherALocalRemovalIsRefusedOrS3IsUnreachable() throws Exception {
        Path root = runtime();
        Catalog catalog = new Catalog(root.resolve("archive/catalog.db"));
        Instant old = Instant.now().minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        // a catalog row naming a file outside the archive directory: retention refuses to delete it
        CatalogEntry outside = new CatalogEntry("alerts-outside", "alerts", "../outside.tar.gz.enc", old.toString(), null, 1,
                "0".repeat(64), 0, 0, null, null, null, null, null, null);
        catalog.record(outside, List.of());
        try (Flows flows = Flows.start(settings(root, Map.of()), SECRETS, "retention")) {
            assertThatThrownBy(() -> flows.run("retention", Map.of(), ProgressListener.NONE))
                    .hasMessageContaining("is not an archive retention may remove");
        }
        assertThat(alertsOf(root, "retention")).as(alerts(root).toString()).singleElement()
                .satisfies(a -> assertThat(a.get("message").asText()).startsWith("retention failed: '../outside.tar.gz.enc'"));
        // the failure inside the split reaches the error handling for the archive and again for the run: one failed run
        assertThat(catalog.runs("retention")).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo("failed");
            assertThat(r.detail()).startsWith("'../outside.tar.gz.enc' is not an archive retention may remove");
        });

        // an expired archive whose S3 copies cannot be deleted: S3 is down
        catalog.forget(outside.backupId());
        catalog.record(new CatalogEntry("alerts-2025-01-01", "alerts", "alerts/2025-01-01.tar.gz.enc", old.toString(), null, 1,
                "0".repeat(64), 0, 0, null, null, null, null, null, old.toString()), List.of());
        String keyId = System.getProperty("aws.accessKeyId");
        String key = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", "AKIDTEST");
        System.setProperty("aws.secretAccessKey", "SECRETTEST");
        try (Flows flows = Flows.start(settings(root, unreachableS3()), SECRETS, "retention")) {
            assertThatThrownBy(() -> flows.run("retention", Map.of(), ProgressListener.NONE))
                    .hasMessageContaining("retention stopped at alerts/2025-01-01.tar.gz.enc");
        } finally {
            restore("aws.accessKeyId", keyId);
            restore("aws.secretAccessKey", key);
        }
        assertThat(alertsOf(root, "retention")).as(alerts(root).toString()).hasSize(2).last()
                .satisfies(a -> assertThat(a.get("message").asText()).contains("retention stopped at alerts/2025-01-01.tar.gz.enc"));
    }

    @Test
    void aFailedOffsiteCatchUpAlertsOnce() throws Exception {
        Path root = runtime();
        Catalog catalog = new Catalog(root.resolve("archive/catalog.db"));
        Instant at = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
        catalog.record(new CatalogEntry("full-gone", "full", "full/20250101T030000Z.tar.gz.enc", at.toString(), null, 1,
                "0".repeat(64), 0, 0, null, null, null, null, null, null), List.of());
        Settings s3 = settings(root, unreachableS3());

        // an archive that cannot be copied: offsite-upload alerts (for the flow that sent it), and the
        // catch-up that stops there does not alert again
        try (Flows flows = Flows.start(s3, SECRETS, "offsite-catch-up")) {
            assertThatThrownBy(() -> flows.run("offsite-catch-up", Map.of(), ProgressListener.NONE))
                    .hasMessageContaining("full/20250101T030000Z.tar.gz.enc");
        }
        assertThat(alerts(root)).singleElement().satisfies(a -> {
            assertThat(a.get("flow").asText()).isEqualTo("offsite-catch-up");
            assertThat(a.get("message").asText()).contains("offsite copy of full/20250101T030000Z.tar.gz.enc failed");
        });
        // the upload that failed is recorded, once, as its own run; the catch-up around it records nothing more
        assertThat(catalog.runs("offsite-upload")).singleElement().extracting(Catalog.RunRow::outcome).isEqualTo("failed");
        assertThat(catalog.runs("offsite-catch-up")).isEmpty();

        // a failure outside any upload (the catalog unreadable) alerts from the catch-up's own route configuration
        Files.writeString(root.resolve("archive/catalog.db"), "not a database, ".repeat(1000));
        try (Flows flows = Flows.start(s3, SECRETS, "offsite-catch-up")) {
            assertThatThrownBy(() -> flows.run("offsite-catch-up", Map.of(), ProgressListener.NONE))
                    .hasMessageContaining("cannot read the catalog");
        }
        assertThat(alerts(root)).hasSize(2).last().satisfies(a -> {
            assertThat(a.get("flow").asText()).isEqualTo("offsite-catch-up");
            assertThat(a.get("message").asText()).contains("cannot read the catalog");
        });
    }

    @Test
    void aBackupWhoseOffsiteCopyFailsAlertsOnce() throws Exception {
        Path root = runtime();
        String keyId = System.getProperty("aws.accessKeyId");
        String key = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", "AKIDTEST");
        System.setProperty("aws.secretAccessKey", "SECRETTEST");
        try (Flows flows = Flows.start(settings(root, unreachableS3()), SECRETS, "backup-full")) {
            assertThatThrownBy(() -> flows.run("backup-full", Map.of(), ProgressListener.NONE)).hasMessageContaining("offsite copy of full/");
        } finally {
            restore("aws.accessKeyId", keyId);
            restore("aws.secretAccessKey", key);
        }
        assertThat(alerts(root)).as("the nested offsite-upload alerted; backup-full does not again").singleElement()
                .satisfies(a -> assertThat(a.get("flow").asText()).isEqualTo("backup-full"));
    }

    private static void restore(String property, String value) {
        if (value == null) System.clearProperty(property);
        else System.setProperty(property, value);
    }
}
