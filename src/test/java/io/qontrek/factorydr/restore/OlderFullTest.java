package io.qontrek.factorydr.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.CatalogEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OlderFullTest {
    /** Six fulls a day apart, the newest the one that failed; each archive file exists. */
    private static List<CatalogEntry> sixFulls(Path archiveDir) throws Exception {
        List<CatalogEntry> c = new ArrayList<>();
        for (int day = 1; day <= 6; day++) {
            c.add(RestorePlannerTest.full("2026110" + day + "T030000Z", day));
            Files.createDirectories(archiveDir.resolve(c.get(c.size() - 1).name()).getParent());
            Files.writeString(archiveDir.resolve(c.get(c.size() - 1).name()), "x");
        }
        return c;
    }

    @Test
    void theNewestOlderFullThatVerifiesIsNamedAndNoOlderOneIsRead(@TempDir Path dir) throws Exception {
        List<CatalogEntry> catalog = sixFulls(dir);
        List<Path> read = new ArrayList<>();
        var search = OlderFull.thatVerifies(catalog, catalog.get(5).name(), dir, p -> {
            read.add(p);
            return p.equals(dir.resolve(catalog.get(3).name()));
        });
        assertThat(search.found()).contains(catalog.get(3));
        assertThat(read).containsExactly(dir.resolve(catalog.get(4).name()), dir.resolve(catalog.get(3).name()));
        assertThat(OlderFull.advice(search, dir)).contains("factory-dr restore --archive=" + dir.resolve(catalog.get(3).name()));
    }

    @Test
    void atMostThreeAreReadAndTheAdviceSaysHowManyWereNot(@TempDir Path dir) throws Exception {
        List<CatalogEntry> catalog = sixFulls(dir);
        List<Path> read = new ArrayList<>();
        var search = OlderFull.thatVerifies(catalog, catalog.get(5).name(), dir, p -> read.add(p) && false);
        assertThat(search.found()).isEmpty();
        assertThat(read).hasSize(OlderFull.MOST_TRIED);
        assertThat(search.untried()).isEqualTo(2);
        assertThat(OlderFull.advice(search, dir)).contains("the 3 newest older fulls here do not verify either")
                .contains("2 older not tried; the next: factory-dr verify archive " + dir.resolve(catalog.get(1).name()));
    }

    @Test
    void fullsWhoseFilesAreGoneAreNotCountedAsTried(@TempDir Path dir) throws Exception {
        List<CatalogEntry> catalog = sixFulls(dir);
        Files.delete(dir.resolve(catalog.get(4).name()));
        var search = OlderFull.thatVerifies(catalog, catalog.get(5).name(), dir, p -> false);
        assertThat(search.tried()).isEqualTo(3);
        assertThat(search.untried()).isEqualTo(1);
    }
}
