package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.MemoryDisk;
import io.qontrek.factorydr.common.SmallHeap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SortedListingTest {
    @TempDir Path tmp;

    private static List<SortedListing.File> all(SortedListing l) {
        List<SortedListing.File> out = new ArrayList<>();
        l.forEachRemaining(out::add);
        return out;
    }

    /** The plain way, every name in memory: the reference the merge sort must equal. */
    private static List<String> plain(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).map(p -> RuntimeFiles.relative(dir, p))
                    .sorted((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)))
                    .toList();
        }
    }

    @Test
    void listsWhatASortOfEveryNameListsWithSizesAndTimesWhateverTheRunSize() throws Exception {
        Path dir = tmp.resolve("proof");
        Files.createDirectories(dir.resolve("digests"));
        for (int i = 0; i < 2_500; i++) Files.writeString(dir.resolve(String.format("proof-%012d.json", (i * 7919) % 2_500)), "x".repeat(i % 9));
        for (String odd : List.of("digests/2025-10-23.json", "a-b", "a.b", "caf\u00e9", "Z", "\u00e9t\u00e9", "emoji-\ud83d\ude00"))
            Files.writeString(dir.resolve(odd), odd);
        Files.setLastModifiedTime(dir.resolve("Z"), FileTime.fromMillis(1_000_000_000_000L));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("Z")); // never followed, never listed
        List<String> want = plain(dir);
        for (int run : new int[] {1, 7, 100, 1_000_000}) {
            try (SortedListing l = SortedListing.of(dir, tmp, run)) {
                List<SortedListing.File> got = all(l);
                assertThat(got).extracting(SortedListing.File::relative).as("run of " + run).isEqualTo(want);
                SortedListing.File z = got.stream().filter(f -> f.relative().equals("Z")).findFirst().orElseThrow();
                assertThat(z.size()).isEqualTo(1);
                assertThat(z.mtimeMillis()).isEqualTo(1_000_000_000_000L);
            }
        }
        try (SortedListing l = SortedListing.of(tmp.resolve("absent"), tmp)) {
            assertThat(l.hasNext()).isFalse();
        }
    }

    /** The child: lists the directory in runs of 10,000, checks the order and the count. */
    public static void main(String[] args) throws Exception {
        long n = 0;
        byte[] previous = null;
        try (SortedListing l = SortedListing.of(Path.of(args[0]), Path.of(args[1]), 10_000)) {
            while (l.hasNext()) {
                byte[] name = l.next().relative().getBytes(StandardCharsets.UTF_8);
                if (previous != null && Arrays.compareUnsigned(previous, name) >= 0) throw new AssertionError("out of order at " + n);
                previous = name;
                n++;
            }
        }
        System.out.println("listed " + n + " files in order");
    }

    @Test
    void twoHundredThousandFilesInATwentyMegabyteHeap() throws Exception {
        // as Paths and Strings (what a sorted Files.walk holds) they would take about 40 MB
        try (MemoryDisk disk = MemoryDisk.create(tmp)) {
            Path dir = Files.createDirectories(disk.dir().resolve("many"));
            for (int i = 0; i < 200_000; i++) Files.createFile(dir.resolve(String.format("proof-%012d.json", (i * 100_003L) % 200_000)));
            assertThat(SmallHeap.run("20m", SortedListingTest.class, tmp, dir.toString(), tmp.toString())).contains("listed 200000 files in order");
        }
    }
}
