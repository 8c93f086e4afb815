package io.qontrek.factorydr.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    @TempDir Path dir;

    private static CatalogEntry entry(String id, String name, String created) {
        return new CatalogEntry(id, "full", name, created, null, 1234, "a".repeat(64), 2, 99, 7L, "b".repeat(64),
                12L, "c".repeat(64), created, null);
    }

    @Test
    void recordsArchivesWithTheirFilesAndRuns() {
        Catalog c = new Catalog(dir.resolve("archive/catalog.db"));
        assertThat(c.archives()).isEmpty();
        c.record(entry("full-2", "full/2.tar.gz.enc", "2025-10-26T03:00:00Z"),
                List.of(new Catalog.FileRow("proof/a.json", 10, "d".repeat(64))));
        c.record(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), List.of());
        c.recordRun("backup-full", "2025-10-26T03:00:00Z", "2025-10-26T03:00:09Z", "ok", "full-2", null);

        assertThat(c.archives()).extracting(CatalogEntry::backupId).containsExactly("full-1", "full-2");
        assertThat(c.byName("full/2.tar.gz.enc")).get().extracting(CatalogEntry::ledgerHeadSeq).isEqualTo(12L);
        assertThat(c.files("full-2")).containsExactly(new Catalog.FileRow("proof/a.json", 10, "d".repeat(64)));
        assertThat(c.runs("backup-full")).singleElement().extracting(Catalog.RunRow::outcome).isEqualTo("ok");
    }

    @Test
    void runsSinceGivesTheWindowsRunsOfTheFlowsAskedWithTheSizeOfTheArchiveEachWrote() {
        Catalog c = new Catalog(dir.resolve("catalog.db"));
        assertThat(c.runsSince(List.of("backup-full"), "2025-10-01T00:00:00Z")).as("no catalog yet").isEmpty();
        c.record(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), List.of());
        c.record(entry("full-2", "full/2.tar.gz.enc", "2025-10-26T03:00:00Z"), List.of());
        c.recordRun("backup-full", "2025-10-12T03:00:00Z", "2025-10-12T03:00:09Z", "ok", "forgotten-by-retention", "x");
        // no detail (null), as a scheduled run records it: the size must not be taken for null with it
        c.recordRun("backup-full", "2025-10-19T03:00:00Z", "2025-10-19T03:00:09Z", "ok", "full-1", null);
        c.recordRun("backup-full", "2025-10-20T03:00:00Z", "2025-10-20T03:00:01Z", "failed", null, "disk full");
        c.recordRun("verify-daily", "2025-10-21T03:00:00Z", "2025-10-21T03:00:01Z", "ok", null, null);
        c.recordRun("backup-full", "2025-10-26T03:00:00Z", "2025-10-26T03:00:07Z", "ok", "full-2", "full/2.tar.gz.enc");

        List<Catalog.SizedRun> runs = c.runsSince(List.of("backup-full", "backup-incremental"), "2025-10-19T00:00:00Z");
        assertThat(runs).extracting(r -> r.run().startedAt()).containsExactly("2025-10-19T03:00:00Z", "2025-10-20T03:00:00Z",
                "2025-10-26T03:00:00Z");
        assertThat(runs).extracting(Catalog.SizedRun::archiveSize).containsExactly(1234L, null, 1234L);
        assertThat(c.runsSince(List.of("backup-full"), "2025-10-01T00:00:00Z")).first()
                .extracting(Catalog.SizedRun::archiveSize).as("its archive is forgotten").isNull();
    }

    @Test
    void forgetRemovesAnArchiveAndItsFilesButKeepsTheOthersAndTheRuns() {
        Catalog c = new Catalog(dir.resolve("catalog.db"));
        List<Catalog.FileRow> rows = List.of(new Catalog.FileRow("proof/a.json", 10, "d".repeat(64)));
        c.record(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), rows);
        c.record(entry("full-2", "full/2.tar.gz.enc", "2025-10-26T03:00:00Z"), rows);
        c.recordRun("backup-full", "2025-10-19T03:00:00Z", "2025-10-19T03:00:09Z", "ok", "full-1", null);

        assertThat(c.forget("full-1")).isTrue();
        assertThat(c.forget("full-1")).as("already forgotten").isFalse();
        assertThat(c.archives()).extracting(CatalogEntry::backupId).containsExactly("full-2");
        assertThat(c.files("full-1")).isEmpty();
        assertThat(c.files("full-2")).isEqualTo(rows);
        assertThat(latest(c, "proof/")).extracting(Catalog.Recorded::relative).containsExactly("a.json");
        assertThat(c.runs("backup-full")).hasSize(1);
        // the name is free again: a later archive of the same name could be recorded
        c.record(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), List.of());
    }

    @Test
    void latestFilesAreTheNewestRowsFromTheNewestFullOn() {
        Catalog c = new Catalog(dir.resolve("catalog.db"));
        c.record(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), List.of(
                new Catalog.FileRow("proof/gone.json", 5, "1".repeat(64)), new Catalog.FileRow("proof/a.json", 9, "2".repeat(64))));
        c.record(entry("full-2", "full/2.tar.gz.enc", "2025-10-26T03:00:00Z"), List.of(
                new Catalog.FileRow("proof/a.json", 10, "3".repeat(64)), new Catalog.FileRow("config/x.yaml", 1, "4".repeat(64))));
        CatalogEntry incremental = new CatalogEntry("incremental-1", "incremental", "incremental/1.tar.gz.enc",
                "2025-10-26T04:00:00Z", "full-2", 1, "a".repeat(64), 1, 11, null, null, null, null, null, null);
        c.record(incremental, List.of(new Catalog.FileRow("proof/a.json", 11, "5".repeat(64))));

        c.record(incremental("incremental-2", "2025-10-26T05:00:00Z"), List.of(new Catalog.FileRow("proof/b.json", 3, "6".repeat(64)),
                new Catalog.FileRow("proof/a-z.json", 4, "7".repeat(64))));

        // a file only an older full held was gone at the newest full: not known, so an incremental takes it as new;
        // one row per path, the newest archive's, in the byte order of the paths ('-' sorts before '.')
        assertThat(latest(c, "proof/")).containsExactly(new Catalog.Recorded("a-z.json", 4, "7".repeat(64), "incremental-2"),
                new Catalog.Recorded("a.json", 11, "5".repeat(64), "incremental-1"),
                new Catalog.Recorded("b.json", 3, "6".repeat(64), "incremental-2"));
        assertThat(latest(new Catalog(dir.resolve("absent.db")), "proof/")).isEmpty();
    }

    private static CatalogEntry incremental(String id, String at) {
        return new CatalogEntry(id, "incremental", "incremental/" + id + ".tar.gz.enc", at, "full-2", 1, "a".repeat(64), 1, 1,
                null, null, null, null, null, null);
    }

    private static List<Catalog.Recorded> latest(Catalog c, String prefix) {
        List<Catalog.Recorded> out = new java.util.ArrayList<>();
        try (Catalog.LatestFiles files = c.latestFiles(prefix)) {
            files.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void anArchiveIsRecordedOnce() {
        Catalog c = new Catalog(dir.resolve("catalog.db"));
        c.record(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), List.of());
        assertThatThrownBy(() -> c.record(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), List.of()))
                .isInstanceOf(Catalog.CatalogException.class).hasMessageContaining("full/1.tar.gz.enc");
    }

    @Test
    void recordIfAbsentLeavesAKnownArchiveAsItIs() {
        Catalog c = new Catalog(dir.resolve("catalog.db"));
        List<Catalog.FileRow> rows = List.of(new Catalog.FileRow("proof/a.json", 10, "d".repeat(64)));
        assertThat(c.recordIfAbsent(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), rows)).isTrue();
        // same backup_id, other name; other backup_id, same name: both already known
        assertThat(c.recordIfAbsent(entry("full-1", "full/other.tar.gz.enc", "2025-10-20T03:00:00Z"), List.of())).isFalse();
        assertThat(c.recordIfAbsent(entry("full-9", "full/1.tar.gz.enc", "2025-10-20T03:00:00Z"),
                List.of(new Catalog.FileRow("proof/b.json", 1, "e".repeat(64))))).isFalse();
        assertThat(c.archives()).singleElement().satisfies(e -> {
            assertThat(e.backupId()).isEqualTo("full-1");
            assertThat(e.createdAt()).isEqualTo("2025-10-19T03:00:00Z");
        });
        assertThat(c.files("full-1")).isEqualTo(rows);
        assertThat(c.files("full-9")).isEmpty();
    }

    @Test
    void knowsWhichArchivesAreNotOffsiteYet() {
        Catalog c = new Catalog(dir.resolve("catalog.db"));
        assertThat(c.notOffsite()).isEmpty();
        c.record(entry("full-2", "full/2.tar.gz.enc", "2025-10-26T03:00:00Z"), List.of());
        c.record(entry("full-1", "full/1.tar.gz.enc", "2025-10-19T03:00:00Z"), List.of());
        c.record(entry("full-3", "full/3.tar.gz.enc", "2025-11-02T03:00:00Z"), List.of());
        assertThat(c.notOffsite()).extracting(CatalogEntry::name)
                .containsExactly("full/1.tar.gz.enc", "full/2.tar.gz.enc", "full/3.tar.gz.enc");

        assertThat(c.markOffsite("full/2.tar.gz.enc", java.time.Instant.parse("2025-10-26T03:05:07.250Z"))).isTrue();
        assertThat(c.markOffsite("full/9.tar.gz.enc", java.time.Instant.now())).isFalse();
        assertThat(c.notOffsite()).extracting(CatalogEntry::name).containsExactly("full/1.tar.gz.enc", "full/3.tar.gz.enc");
        assertThat(c.byName("full/2.tar.gz.enc")).get().extracting(CatalogEntry::offsiteAt).isEqualTo("2025-10-26T03:05:07Z");
    }
}
