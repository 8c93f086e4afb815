package io.qontrek.factorydr.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir Path tmp;

    @Test
    void recordsComeBackInOrderFromMemoryAndAfterSpilling() throws Exception {
        for (int n : new int[] {0, 1, 1000, 200_000}) { // 200,000 records are past IN_MEMORY: spilled
            try (Spool spool = new Spool(tmp)) {
                for (int i = 0; i < n; i++) spool.append(("record " + i + "x".repeat(i % 50)).getBytes());
                spool.seal();
                assertThat(spool.size()).isEqualTo(n);
                // two readers at once, each on its own
                Iterator<byte[]> a = spool.iterator();
                Iterator<byte[]> b = spool.iterator();
                for (int i = 0; i < n; i++) {
                    String want = "record " + i + "x".repeat(i % 50);
                    assertThat(new String(a.next())).isEqualTo(want);
                    assertThat(new String(b.next())).isEqualTo(want);
                }
                assertThat(a.hasNext()).isFalse();
            }
        }
        try (var left = Files.list(tmp)) {
            assertThat(left).as("the spill file is unlinked as soon as it is opened").isEmpty();
        }
    }

    @Test
    void aRecordLargerThanTheReadBufferSurvivesTheSpill() {
        try (Spool spool = new Spool(tmp)) {
            byte[] big = new byte[300_000];
            big[299_999] = 7;
            for (int i = 0; i < 5; i++) spool.append(big);
            spool.seal();
            for (byte[] r : spool) assertThat(r).hasSize(300_000).endsWith(7);
        }
    }

    /** The child: five million records through a spool in a 16 MB heap (as objects they would take 300 MB). */
    public static void main(String[] args) {
        long n = 5_000_000;
        try (Spool spool = new Spool(Path.of(args[0]))) {
            for (long i = 0; i < n; i++) spool.append(ByteBuffer.allocate(24).putLong(i).putLong(i * 7).putLong(-i).array());
            spool.seal();
            long i = 0;
            for (byte[] r : spool) {
                ByteBuffer b = ByteBuffer.wrap(r);
                if (b.getLong() != i || b.getLong() != i * 7 || b.getLong() != -i) throw new AssertionError("record " + i);
                i++;
            }
            System.out.println("read back " + i + " records");
        }
    }

    @Test
    void fiveMillionRecordsInASixteenMegabyteHeap() throws Exception {
        assertThat(SmallHeap.run("16m", SpoolTest.class, tmp, tmp.toString())).contains("read back 5000000 records");
    }
}
