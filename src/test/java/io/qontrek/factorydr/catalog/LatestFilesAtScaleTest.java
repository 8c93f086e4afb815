package io.qontrek.factorydr.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.SmallHeap;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full of a million proof files and an incremental of 10,000 recorded and read back through the
 * merged cursor, in a child JVM with a 48 MB heap: a million rows as objects (the map latestFiles
 * used to return, or one batch of inserts) would take well over 100 MB.
 */
class LatestFilesAtScaleTest {
    static final int FILES = 1_000_000;
    static final String H = "a".repeat(64);
    static final String H2 = "b".repeat(64);

    @TempDir Path tmp;

    static Iterable<Catalog.FileRow> rows(int from, int count, String sha) {
        return () -> new Iterator<>() {
            int i = from;

            @Override
            public boolean hasNext() {
                return i < from + count;
            }

            @Override
            public Catalog.FileRow next() {
                return new Catalog.FileRow(String.format("proof/proof-%012d.json", i++), 100, sha);
            }
        };
    }

    public static void main(String[] args) {
        Catalog c = new Catalog(Path.of(args[0]));
        c.record(new CatalogEntry("full-1", "full", "full/1.tar.gz.enc", "2025-10-26T03:00:00Z", null, 1, H, FILES, 100L * FILES,
                null, null, null, null, null, null), rows(0, FILES, H));
        c.record(new CatalogEntry("incremental-1", "incremental", "incremental/1.tar.gz.enc", "2025-10-26T04:00:00Z", "full-1", 1, H,
                10_000, 1_000_000, null, null, null, null, null, null), rows(FILES - 5_000, 10_000, H2));
        long n = 0;
        long fromIncremental = 0;
        try (Catalog.LatestFiles latest = c.latestFiles("proof/")) {
            while (latest.hasNext()) {
                Catalog.Recorded r = latest.next();
                if (!r.relative().equals(String.format("proof-%012d.json", n))) throw new AssertionError("row " + n + ": " + r);
                if (r.backupId().equals("incremental-1") != (n >= FILES - 5_000)) throw new AssertionError("newest row of " + r);
                if (r.backupId().equals("incremental-1")) fromIncremental++;
                n++;
            }
        }
        System.out.println("read " + n + " latest rows, " + fromIncremental + " from the incremental");
    }

    @Test
    void aMillionRowsRecordedAndMergedInAFortyEightMegabyteHeap() throws Exception {
        assertThat(SmallHeap.run("48m", LatestFilesAtScaleTest.class, tmp, tmp.resolve("catalog.db").toString()))
                .contains("read " + (FILES + 5_000) + " latest rows, 10000 from the incremental");
    }
}
