package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof files the catalog holds that a listing of proof/ lacks, found by one merge with a real catalog:
 * named and counted, digests and other files left alone, and the same answer as a plain set difference.
 */
class MissingProofsTest {
    static final String H = "a".repeat(64);

    @TempDir Path tmp;

    private static String proof(long seq) {
        return String.format("proof-%012d.json", seq);
    }

    private static CatalogEntry entry(String id, String type, String createdAt, int files) {
        return new CatalogEntry(id, type, type + "/" + id + ".tar.gz.enc", createdAt, null, 1, H, files, files, null, null, null,
                null, null, null);
    }

    private static List<Catalog.FileRow> rows(List<String> relative) {
        return relative.stream().map(r -> new Catalog.FileRow("proof/" + r, 10, H)).toList();
    }

    /** Runs the merge over a listing (names below proof/, sorted as SortedListing sorts them). */
    private static MissingProofs merge(Catalog c, List<String> listing, List<String> recordedBack) {
        List<String> sorted = new ArrayList<>(listing);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        try (MissingProofs.Merge m = MissingProofs.merge(c.latestFiles("proof/"))) {
            for (String name : sorted) {
                Catalog.Recorded r = m.listed(name);
                if (r != null) recordedBack.add(r.relative());
            }
            return m.finish();
        }
    }

    @Test
    void aProofFileTheCatalogHoldsThatTheListingLacksIsNamedWithTheArchiveHoldingIt() {
        Catalog c = new Catalog(tmp.resolve("catalog.db"));
        List<String> held = new ArrayList<>(List.of("digests/2025-10-23.json", "digests/2025-10-24.json"));
        for (int s = 0; s < 10; s++) held.add(proof(s));
        c.record(entry("full-1", "full", "2025-10-26T03:00:00Z", held.size()), rows(held));

        // the listing: seq 3 and one digest gone, seq 10 new, a stray file
        List<String> listing = new ArrayList<>(held);
        listing.remove(proof(3));
        listing.remove("digests/2025-10-23.json");
        listing.add(proof(10));
        listing.add("notes.txt");
        List<String> back = new ArrayList<>();
        MissingProofs m = merge(c, listing, back);

        assertThat(m.count()).isEqualTo(1);
        assertThat(m.named()).containsExactly(proof(3));
        assertThat(m.finding()).isEqualTo("1 proof file that an earlier archive holds is gone from proof/: proof-000000000003.json"
                + " (copies in full-1)");
        // the merge hands each listed file its catalog row, and none to a file the catalog does not hold
        assertThat(back).doesNotContain(proof(10), "notes.txt").contains(proof(0), proof(9), "digests/2025-10-24.json").hasSize(10);
    }

    @Test
    void nothingGoneIsNoFinding_andANewerArchivesCopyIsTheOneNamed() {
        Catalog c = new Catalog(tmp.resolve("catalog.db"));
        c.record(entry("full-1", "full", "2025-10-26T03:00:00Z", 3), rows(List.of(proof(0), proof(1), proof(2))));
        c.record(entry("incremental-1", "incremental", "2025-10-26T04:00:00Z", 2), rows(List.of(proof(2), proof(3))));
        assertThat(merge(c, List.of(proof(0), proof(1), proof(2), proof(3)), new ArrayList<>()).finding()).isNull();

        MissingProofs m = merge(c, List.of(proof(0), proof(1)), new ArrayList<>());
        assertThat(m.finding()).isEqualTo("2 proof files that earlier archives hold are gone from proof/: proof-000000000002.json, "
                + "proof-000000000003.json (copies in incremental-1)");
        // an empty catalog holds nothing that could be gone
        assertThat(merge(new Catalog(tmp.resolve("none.db")), List.of(proof(0)), new ArrayList<>()).count()).isZero();
    }

    @Test
    void atMostTenAreNamed_theRestAreCounted() {
        Catalog c = new Catalog(tmp.resolve("catalog.db"));
        List<String> held = new ArrayList<>();
        for (int s = 0; s < 40; s++) held.add(proof(s));
        c.record(entry("full-1", "full", "2025-10-26T03:00:00Z", held.size()), rows(held));
        MissingProofs m = merge(c, held.subList(0, 15), new ArrayList<>());
        assertThat(m.count()).isEqualTo(25);
        assertThat(m.named()).hasSize(MissingProofs.NAMED).startsWith(proof(15)).endsWith(proof(24));
        assertThat(m.finding()).startsWith("25 proof files that earlier archives hold are gone from proof/: proof-000000000015.json, ")
                .endsWith("proof-000000000024.json, and 15 more (copies of these in full-1)");
    }

    @Test
    void theMergeFindsWhatAPlainSetDifferenceFinds() {
        Random rnd = new Random(13);
        for (int round = 0; round < 20; round++) {
            Catalog c = new Catalog(tmp.resolve("catalog-" + round + ".db"));
            TreeSet<String> inFull = new TreeSet<>();
            TreeSet<String> inIncremental = new TreeSet<>();
            TreeSet<String> listing = new TreeSet<>();
            for (int s = 0; s < 400; s++) {
                String name = rnd.nextInt(20) == 0 ? "digests/d" + s + ".json" : proof(rnd.nextInt(1_000) + (long) s * 1_000);
                if (rnd.nextInt(4) > 0) inFull.add(name);
                else if (rnd.nextBoolean()) inIncremental.add(name);
                if (rnd.nextInt(10) > 0) listing.add(name);
            }
            c.record(entry("full-1", "full", "2025-10-26T03:00:00Z", inFull.size()), rows(List.copyOf(inFull)));
            c.record(entry("incremental-1", "incremental", "2025-10-26T04:00:00Z", inIncremental.size()),
                    rows(List.copyOf(inIncremental)));

            TreeSet<String> expected = new TreeSet<>(inFull);
            expected.addAll(inIncremental);
            expected.removeAll(listing);
            expected.removeIf(n -> n.startsWith("digests/"));
            MissingProofs m = merge(c, List.copyOf(listing), new ArrayList<>());
            assertThat(m.count()).as("round " + round).isEqualTo(expected.size());
            assertThat(m.named()).as("round " + round).containsExactlyElementsOf(expected.stream().limit(MissingProofs.NAMED).toList());
        }
    }
}
