package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {
    private static final int CHUNK = ReadAheadInputStream.CHUNK;

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void deliversEveryByteInOrderWhateverTheLength() throws IOException {
        for (int n : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 11 * CHUNK + 7}) {
            byte[] in = bytes(n);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream ahead = new ReadAheadInputStream(new ByteArrayInputStream(in))) {
                int b = ahead.read(); // the one-byte read too
                if (b >= 0) out.write(b);
                ahead.transferTo(out);
                assertThat(ahead.read()).as("after the end, n=%d", n).isEqualTo(-1);
            }
            assertThat(out.toByteArray()).as("n=%d", n).isEqualTo(in);
        }
    }

    /** Fails with one given exception after {@code after} bytes. */
    private static InputStream failingAfter(long after, IOException failure, AtomicLong reads) {
        return new InputStream() {
            long served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                reads.incrementAndGet();
                if (served >= after) throw failure;
                int n = (int) Math.min(len, after - served);
                served += n;
                return n;
            }
        };
    }

    @Test
    void aFailureBelowReachesTheReaderAsTheSameExceptionEveryTime() throws IOException {
        IOException failure = new ArchiveException("gzip: Corrupt GZIP trailer");
        try (InputStream ahead = new ReadAheadInputStream(failingAfter(5L * CHUNK + 100, failure, new AtomicLong()))) {
            byte[] buffer = new byte[CHUNK];
            long got = 0;
            IOException seen = null;
            try {
                for (int n; (n = ahead.read(buffer)) >= 0; ) got += n;
            } catch (IOException e) {
                seen = e;
            }
            assertThat(seen).isSameAs(failure);
            assertThat(got).isEqualTo(5L * CHUNK); // every whole chunk before the failure
            assertThatThrownBy(ahead::read).isSameAs(failure);
        }
    }

    @Test
    void closeStopsTheThreadBeforeItReturns() throws Exception {
        AtomicLong reads = new AtomicLong();
        ReadAheadInputStream ahead = new ReadAheadInputStream(failingAfter(Long.MAX_VALUE, new IOException("never"), reads));
        assertThat(ahead.read(new byte[10])).isEqualTo(10);
        assertThat(ahead.running()).isTrue(); // an endless stream below: it is waiting for a free buffer
        ahead.close();
        assertThat(ahead.running()).isFalse();
    }
}
