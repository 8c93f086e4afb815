package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.steps.ApiBeans;
import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.catalog.CatalogReads;
import io.qontrek.factorydr.catalog.CatalogRows;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.observe.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API routes read the catalog with their own SQL through camel-jdbc (api-catalog-reads,
 * api-backup-chart); {@link Catalog} reads it with its own. Both must read the same: the page and
 * {@code factory-dr status} or {@code list --json} must never disagree with the API. Differential, on a
 * real SQLite catalog holding every kind of row; and a read never creates a catalog.
 */
class ApiCatalogReadsTest {
    static final Instant NOW = Instant.parse("2025-10-27T12:00:00Z");

    @TempDir Path tmp;

    private Settings settings() throws Exception {
        Path root = tmp.resolve("runtime");
        Files.createDirectories(root);
        return SettingsCheck.validate(Settings.load(null, Map.of(), Map.of("factory.root", root.toString(), "factory.now", NOW.toString())));
    }

    private static Secrets secrets() {
        return new Secrets(Map.of(Secrets.ARCHIVE_KEY, "archive-pass phrase 7f3c", Secrets.SIGNING_SECRET, "factory-signing 91ab"));
    }

    private static CatalogEntry entry(String type, String stamp, Long proofHead, String offsiteAt) {
        return new CatalogEntry(type + "-" + stamp, type, type + "/" + stamp + ".tar.gz.enc", stamp, type.equals("full") ? null : "full-x",
                3_000_000_000L, "a".repeat(64), 70_000, 9_000_000_000L, proofHead, proofHead == null ? null : "b".repeat(64),
                proofHead == null ? null : 12L, proofHead == null ? null : "c".repeat(64), stamp, offsiteAt);
    }

    /** What a catalog of before database_heads and proof_chain_checks holds: archives with and without heads, runs of each outcome. */
    private static void fillOld(Catalog c) {
        c.record(entry("full", "2025-10-19T03:00:00Z", 99L, "2025-10-19T03:05:00Z"), List.of(new Catalog.FileRow("proof/a.json", 1, "e")));
        c.record(entry("proof", "2025-10-20T02:00:00Z", null, null), List.of());
        c.recordRun("backup-full", "2025-09-01T03:00:00Z", "2025-09-01T03:00:09Z", "ok", "forgotten", null);
        c.recordRun("backup-full", "2025-10-19T03:00:00Z", "2025-10-19T03:00:09Z", "ok", "full-2025-10-19T03:00:00Z", "x");
        c.recordRun("backup-full", "2025-10-20T03:00:00Z", "2025-10-20T03:00:01Z", "failed", null, "disk full");
        c.recordRun("verify-daily", "2025-10-21T03:00:00Z", "2025-10-21T03:00:01Z", "failed", null, "seq 7 missing");
    }

    /** And what later writes add: an incremental naming its databases, proof chain checks (a whole chain, then a passed range). */
    private static void fillLater(Catalog c) {
        Manifest.TableHead head = new Manifest.TableHead(10, 10, "d".repeat(64));
        c.record(entry("incremental", "2025-10-26T04:00:00Z", 120L, null), List.of(), List.of(
                new Manifest.Database("federation_ledger", Manifest.Database.Form.DELTA, "data/federation_ledger.delta.db", 3, head, head, null),
                new Manifest.Database("nonce_store", Manifest.Database.Form.DELTA, "data/nonce_store.delta.db", 3, head, head, "why")));
        c.recordRun("backup-incremental", "2025-10-26T04:00:00Z", "2025-10-26T04:00:02Z", "ok", "incremental-2025-10-26T04:00:00Z", null);
        c.recordRun("backup-incremental", "2025-10-26T05:00:00Z", "2025-10-26T05:00:01Z", "nothing-to-do", null, null);
        c.recordProofChainCheck(new Catalog.ProofChainCheck("verify-proofs", "2025-10-21T03:00:00Z", true, null, null, 100, 0L, 99L,
                99L, "f".repeat(64), "whole chain"));
        c.recordProofChainCheck(new Catalog.ProofChainCheck("verify-proofs", "2025-10-22T03:00:00Z", true, "2025-10-22", "2025-10-22",
                10, 90L, 99L, 99L, "f".repeat(64), "a passed range: not the evidence"));
    }

    private static void assertSameReads(CatalogReads route, Catalog catalog) {
        assertThat(route.archives()).isEqualTo(catalog.archives());
        assertThat(route.flowRuns()).isEqualTo(catalog.flowRuns());
        assertThat(route.databasesRecorded()).isEqualTo(catalog.databasesRecorded());
        assertThat(route.newestProofChainEvidence()).isEqualTo(catalog.newestProofChainEvidence());
    }

    @Test
    void theRoutesSqlReadsWhatTheCatalogReads_withTheTablesOfLaterWritesAndWithout() throws Exception {
        Settings settings = settings();
        Catalog catalog = new Catalog(RuntimeLayout.of(settings).catalogDb());
        try (Flows flows = Flows.start(settings, secrets(), "api-catalog-reads", "api-catalog-archives", "api-backup-chart")) {
            for (String r : List.of("api-catalog-reads", "api-catalog-archives", "api-backup-chart")) flows.context().getRouteController().startRoute(r);
            try (ProducerTemplate t = flows.context().createProducerTemplate()) {
                // no catalog yet: nothing recorded, and the read leaves no catalog behind
                Exchange none = t.send("direct:api-catalog-reads", e -> {});
                assertThat(none.getException()).isNull();
                assertThat(ApiBeans.read(none, catalog).archives()).isEmpty();
                assertThat(ApiBeans.read(none, catalog).flowRuns()).isEmpty();
                assertThat(t.send("direct:api-backup-chart", e -> {}).getVariable("chartRuns")).isNull();
                assertThat(catalog.file()).doesNotExist();

                // a catalog written before database_heads and proof_chain_checks existed
                fillOld(catalog);
                Exchange old = t.send("direct:api-catalog-reads", e -> {});
                assertThat(old.getException()).isNull();
                assertSameReads(ApiBeans.read(old, catalog), catalog);
                assertThat(ApiBeans.read(old, catalog).newestProofChainEvidence()).isEmpty();

                fillLater(catalog);
                Exchange read = t.send("direct:api-catalog-reads", e -> {});
                assertThat(read.getException()).isNull();
                CatalogReads route = ApiBeans.read(read, catalog);
                assertSameReads(route, catalog);
                assertThat(route.archives()).hasSize(3);
                assertThat(route.flowRuns().get("backup-full").count("ok")).isEqualTo(2);
                assertThat(route.flowRuns().get("backup-full").last().outcome()).isEqualTo("failed");
                assertThat(route.flowRuns().get("backup-incremental").lastOk().outcome()).isEqualTo("nothing-to-do");
                assertThat(route.databasesRecorded()).containsOnlyKeys("incremental-2025-10-26T04:00:00Z");
                assertThat(route.newestProofChainEvidence()).get().extracting(Catalog.ProofChainCheck::detail).isEqualTo("whole chain");

                Exchange chart = t.send("direct:api-backup-chart", e -> {});
                assertThat(chart.getException()).isNull();
                List<Catalog.SizedRun> routeChart = CatalogRows.sizedRuns(ApiBeans.rows(chart, "chartRuns"));
                assertThat(routeChart).isEqualTo(catalog.runsSince(Status.CHARTED_FLOWS, Status.chartSince(NOW)));
                assertThat(routeChart).extracting(r -> r.run().startedAt()).as("30 days back from factory.now")
                        .containsExactly("2025-10-19T03:00:00Z", "2025-10-20T03:00:00Z", "2025-10-26T04:00:00Z", "2025-10-26T05:00:00Z");
                assertThat(routeChart).extracting(Catalog.SizedRun::archiveSize).containsExactly(3_000_000_000L, null, 3_000_000_000L, null);
            }
        }
    }
}
