package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our gzip against the real gzip: valid, level-6-sized, and a strict reader. */
class GzipTest {
    @TempDir Path dir;

    private Path compress(Path plain, int threads) throws IOException {
        Path gz = dir.resolve("ours-" + threads + ".gz");
        try (InputStream in = Files.newInputStream(plain); OutputStream out = Gzip.compressing(Files.newOutputStream(gz), threads)) {
            in.transferTo(out);
        }
        return gz;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void gzipAcceptsItAndItIsLevelSix(int threads) throws Exception {
        Path plain = SampleData.file(dir.resolve("data.txt"), 8_000_000, 42);
        Path gz = compress(plain, threads);

        Tools.bash(dir, "gzip -t " + gz.getFileName()).ok();
        Tools.bash(dir, "gzip -dc " + gz.getFileName() + " | cmp - data.txt").ok();

        long ours = Files.size(gz);
        long level6 = Long.parseLong(Tools.bash(dir, "gzip -6 -c data.txt | wc -c").ok().stdout().trim());
        long level1 = Long.parseLong(Tools.bash(dir, "gzip -1 -c data.txt | wc -c").ok().stdout().trim());
        long level9 = Long.parseLong(Tools.bash(dir, "gzip -9 -c data.txt | wc -c").ok().stdout().trim());
        // parallel blocks restart the dictionary every 256 KiB, so allow a little over gzip -6 (1 %)
        assertThat(ours).as("ours %d, gzip -1 %d, -6 %d, -9 %d", ours, level1, level6, level9)
                .isLessThan(level1)
                .isBetween(level6 * 99 / 100, level6 * 101 / 100);
    }

    /**
     * The default engine on a machine with libdeflate (CI installs libdeflate0): gzip, pigz and our
     * parallel reader read it byte-equal, it is no bigger than gzip -6's, and every empty or short
     * last block is a valid member too. zlib, asked for by name, gives the same bytes back.
     */
    @Test
    void libdeflateBlocksAreAGzipEveryToolReadsAndZlibStaysWhenAskedFor() throws Exception {
        assertThat(Gzip.engine("auto")).as("libdeflate0 is installed here (.ci/run installs it)").startsWith("libdeflate");
        assertThat(Gzip.engine("zlib")).isEqualTo("zlib level 6");
        Path plain = SampleData.file(dir.resolve("data.txt"), 8_000_123, 7);
        long level6 = Long.parseLong(Tools.bash(dir, "gzip -6 -c data.txt | wc -c").ok().stdout().trim());
        for (String engine : new String[] {"auto", "zlib"}) {
            Path gz = dir.resolve(engine + ".gz");
            try (InputStream in = Files.newInputStream(plain); OutputStream out = Gzip.compressing(Files.newOutputStream(gz), 2, engine)) {
                in.transferTo(out);
            }
            Tools.bash(dir, "gzip -t " + gz.getFileName() + " && gzip -dc " + gz.getFileName() + " | cmp - data.txt").ok();
            try (InputStream in = Gzip.decompressing(Files.newInputStream(gz))) {
                assertThat(Gzip.readsAhead(in)).isTrue();
                assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(plain));
            }
            assertThat(Files.size(gz)).as(engine).isLessThan(level6 * 101 / 100);
        }
        assertThatThrownBy(() -> Gzip.compressing(OutputStream.nullOutputStream(), 2, "pigz"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one of auto, zlib");
    }

    @Test
    void emptyInputIsAValidGzip() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty"));
        for (int threads : new int[] {1, 2}) {
            Path gz = compress(empty, threads);
            Tools.bash(dir, "gzip -t " + gz.getFileName()).ok();
            try (InputStream in = Gzip.decompressing(Files.newInputStream(gz))) {
                assertThat(in.readAllBytes()).isEmpty();
            }
        }
        Path gz = dir.resolve("empty-libdeflate.gz");
        Gzip.compressing(Files.newOutputStream(gz), 2, "auto").close();
        Tools.bash(dir, "gzip -t " + gz.getFileName()).ok();
    }

    @Test
    void readsConcatenatedMembersAsGzipDoes() throws Exception {
        Files.writeString(dir.resolve("a"), "first member\n");
        Files.writeString(dir.resolve("b"), "second member\n");
        Tools.bash(dir, "gzip -c a > ab.gz && gzip -c b >> ab.gz").ok();
        try (InputStream in = Gzip.decompressing(Files.newInputStream(dir.resolve("ab.gz")))) {
            assertThat(new String(in.readAllBytes())).isEqualTo("first member\nsecond member\n");
        }
    }

    @Test
    void refusesTrailingGarbage() throws Exception {
        Files.writeString(dir.resolve("a"), "member\n");
        Tools.bash(dir, "gzip -c a > a.gz && printf 'garbage' >> a.gz").ok();
        try (InputStream in = Gzip.decompressing(Files.newInputStream(dir.resolve("a.gz")))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
    }

    @Test
    void refusesABadCrc() throws Exception {
        SampleData.file(dir.resolve("a"), 100_000, 1);
        Tools.bash(dir, "gzip -c a > a.gz").ok();
        byte[] gz = Files.readAllBytes(dir.resolve("a.gz"));
        gz[gz.length - 8] ^= 1; // first byte of the CRC32 in the trailer
        try (InputStream in = Gzip.decompressing(new ByteArrayInputStream(gz))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("corrupt");
        }
    }

    @Test
    void refusesTruncation() throws Exception {
        SampleData.file(dir.resolve("a"), 100_000, 1);
        Tools.bash(dir, "gzip -c a | head -c 5000 > a.gz").ok();
        try (InputStream in = Gzip.decompressing(Files.newInputStream(dir.resolve("a.gz")))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
    }

    /** Our parallel output: one member per block, each with its size, read on every core and by stock gzip. */
    @Test
    void ourMembersAreInflatedInParallelAndStockGzipReadsThem() throws Exception {
        Path plain = SampleData.file(dir.resolve("data.txt"), 3_000_000, 7);
        Path gz = compress(plain, 2);
        Tools.bash(dir, "gzip -dc " + gz.getFileName() + " | cmp - data.txt").ok();
        byte[] bytes = Files.readAllBytes(gz);
        assertThat(BlockMembers.size(java.util.Arrays.copyOf(bytes, BlockMembers.HEADER))).isPositive();
        try (InputStream in = Gzip.decompressing(Files.newInputStream(gz))) {
            assertThat(Gzip.readsAhead(in)).isTrue();
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(plain));
        }
        // a stock gzip file is read on the caller's thread, as before
        Tools.bash(dir, "gzip -c data.txt > stock.gz").ok();
        try (InputStream in = Gzip.decompressing(Files.newInputStream(dir.resolve("stock.gz")))) {
            assertThat(Gzip.readsAhead(in)).isFalse();
        }
    }

    /** Each member is checked whole before its block is handed on: data, CRC-32, length, its size field. */
    @ParameterizedTest
    @ValueSource(strings = {"data", "crc", "length", "size", "truncated", "garbage", "stock-after"})
    void aDamagedMemberOfOursIsRefused(String damage) throws Exception {
        Path plain = SampleData.file(dir.resolve("data.txt"), 1_500_000, 3);
        byte[] gz = Files.readAllBytes(compress(plain, 2));
        int first = BlockMembers.size(gz);
        int second = first + BlockMembers.size(java.util.Arrays.copyOfRange(gz, first, first + BlockMembers.HEADER));
        switch (damage) {
            case "data" -> gz[first + BlockMembers.HEADER + 100] ^= 0x55; // inside the second member's deflate data
            case "crc" -> gz[second - 8] ^= 1;
            case "length" -> gz[second - 4] ^= 1;
            case "size" -> gz[first + 16] ^= 4;
            case "truncated" -> gz = java.util.Arrays.copyOf(gz, second - 3);
            case "garbage" -> gz = concat(gz, "garbage".getBytes());
            case "stock-after" -> {
                Tools.bash(dir, "printf more | gzip -c > more.gz").ok();
                gz = concat(gz, Files.readAllBytes(dir.resolve("more.gz")));
            }
            default -> throw new IllegalArgumentException(damage);
        }
        try (InputStream in = Gzip.decompressing(new ByteArrayInputStream(gz))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                    .hasMessageMatching("(?s).*(corrupt|truncated|trailing garbage).*");
        }
        // stock gzip refuses it too, except what it ignores by design (our size field, another member after ours)
        boolean stockIgnores = damage.equals("size") || damage.equals("stock-after");
        Files.write(dir.resolve("damaged.gz"), gz);
        if (!stockIgnores) assertThat(Tools.bash(dir, "gzip -t damaged.gz").exit()).isNotZero();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void zeroThreadsIsAConfigurationError() {
        assertThatThrownBy(() -> Gzip.compressing(OutputStream.nullOutputStream(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
    }
}
