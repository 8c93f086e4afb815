package io.qontrek.factorydr.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog's record of tripwires: what each holds, the acknowledgement, and catalogs from before the table. */
class TripwiresTest {
    static final String H = "a".repeat(64);

    @TempDir Path dir;

    private static CatalogEntry entry(String id, String type, String createdAt) {
        return new CatalogEntry(id, type, type + "/" + id + ".tar.gz.enc", createdAt, null, 100, H, 1, 10, null, null, null, null,
                null, null);
    }

    private static boolean hasTable(Path db, String table) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'")) {
            return rs.next();
        }
    }

    private static List<Catalog.FileRow> row(String path, long size) {
        return List.of(new Catalog.FileRow(path, size, H));
    }

    @Test
    void aFindingHoldsTheNewestFullOrIncrementalBeforeItsBackup_untilAcknowledged() throws Exception {
        Path db = dir.resolve("archive/catalog.db");
        Catalog c = new Catalog(db);
        c.record(entry("full-1", "full", "2025-10-26T03:00:00Z"), row("data/nonce_store.db", 40_000));
        c.record(entry("incremental-1", "incremental", "2025-10-26T04:00:00Z"), List.of());
        c.record(entry("proof-daily-2025-10-26", "proof-daily", "2025-10-27T02:00:00Z"), List.of());
        assertThat(c.tripwires(true)).as("no table yet").isEmpty();
        assertThat(hasTable(db, "tripwires")).isFalse();
        assertThat(c.acknowledgeTripwires("full-2", Instant.now())).isZero();
        assertThat(hasTable(db, "tripwires")).as("reading or acknowledging nothing creates nothing").isFalse();

        c.record(entry("full-2", "full", "2025-11-02T03:00:00Z"), row("data/nonce_store.db", 9_000), null,
                List.of("ledger head seq 40 is below seq 80 of the previous backup full-1", "data/nonce_store.db is 8.8 KiB, ..."));
        List<Catalog.Tripwire> open = c.tripwires(false);
        assertThat(open).extracting(Catalog.Tripwire::backupId, Catalog.Tripwire::held, Catalog.Tripwire::raisedAt)
                .containsOnly(org.assertj.core.groups.Tuple.tuple("full-2", "incremental-1", "2025-11-02T03:00:00Z"));
        assertThat(open).hasSize(2);
        assertThat(open.get(0).hold()).isEqualTo("retention keeps incremental-1 until 'factory-dr tripwire ack full-2'");

        // the newest earlier copy of a database, for the half-size rule
        assertThat(c.newestCopy("data/nonce_store.db", "2025-11-02T03:00:00Z")).get()
                .extracting(Catalog.Recorded::size, Catalog.Recorded::backupId).containsExactly(40_000L, "full-1");
        assertThat(c.newestCopy("data/nonce_store.db", "2025-10-26T03:00:00Z")).isEmpty();
        // the same finding since a day: reported, before it: not
        assertThat(c.tripwireRaisedSince(open.get(0).finding(), "2025-10-26T03:00:00Z")).isTrue();
        assertThat(c.tripwireRaisedSince(open.get(0).finding(), "2025-11-03T00:00:00Z")).isFalse();
        assertThat(c.tripwireRaisedSince("another finding", "")).isFalse();

        assertThat(c.acknowledgeTripwires("full-2", Instant.parse("2025-11-02T09:15:30.5Z"))).isEqualTo(2);
        assertThat(c.tripwires(false)).isEmpty();
        assertThat(c.tripwiresOf("full-2")).allSatisfy(t -> assertThat(t.ackedAt()).isEqualTo("2025-11-02T09:15:30Z"));
        assertThat(c.acknowledgeTripwires("full-2", Instant.now())).as("already acknowledged").isZero();

        // the rows stay when retention forgets the backups: a hold outlives its backup
        c.forget("full-2");
        assertThat(c.tripwires(true)).hasSize(2);
    }

    @Test
    void theFirstBackupHoldsNothing() {
        Catalog c = new Catalog(dir.resolve("catalog.db"));
        c.record(entry("full-1", "full", "2025-10-26T03:00:00Z"), List.of(), null, List.of("archive is 10.0 KiB, under the floor"));
        assertThat(c.tripwires(false)).singleElement().satisfies(t -> {
            assertThat(t.held()).isNull();
            assertThat(t.hold()).isEqualTo("no backup before it to hold; acknowledge with 'factory-dr tripwire ack full-1'");
        });
    }
}
