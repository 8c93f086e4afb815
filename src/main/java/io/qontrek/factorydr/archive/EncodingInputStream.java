package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An encoder written as an OutputStream decorator ({@link Gzip#compressing}, {@link OpensslCipher#encrypting})
 * read as an InputStream decorator, so that each archive step wraps the stream the step before it made
 * (the body after {@code gzip} is the gzip stream of the tar). Each read feeds the encoder from the
 * stream below until the encoder has output; when the stream below ends, the encoder is closed, which
 * writes its end (the gzip trailer, the final padded block). Memory is one chunk plus what the encoder
 * holds back (the parallel gzip's blocks in flight), whatever the archive's size.
 */
public final class EncodingInputStream extends ChunkInputStream {
    /** Wraps the stream an encoder's output goes to; its {@code close()} must end the encoding and close that stream. */
    @FunctionalInterface
    public interface Encoder {
        OutputStream wrap(OutputStream sink) throws IOException;
    }

    static final int CHUNK = 64 * 1024;

    private final InputStream source;
    private final Output output = new Output();
    private final OutputStream encoder;
    private final byte[] chunk = new byte[CHUNK];
    private boolean ended;
    private boolean closed;

    public EncodingInputStream(InputStream source, Encoder encoder) throws IOException {
        this.source = source;
        this.encoder = encoder.wrap(output);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("stream closed");
        if (len == 0) return 0;
        while (true) {
            int n = output.take(b, off, len);
            if (n > 0) return n;
            if (ended) return -1;
            int read = source.read(chunk, 0, chunk.length);
            if (read < 0) {
                ended = true;
                encoder.close(); // its last bytes go into output
            } else {
                encoder.write(chunk, 0, read);
            }
        }
    }

    /** Closes the stream below and the encoder (stopping its threads); output not yet read is dropped. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try (source) {
            if (!ended) {
                ended = true;
                encoder.close();
            }
        }
    }

    /**
     * What the encoder wrote and nobody read yet. Synchronized: the parallel gzip writes from its
     * emitter thread while the reader takes.
     */
    private static final class Output extends OutputStream {
        private byte[] buffer = new byte[2 * CHUNK];
        private int start;
        private int end;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (buffer.length - end < len) {
                int held = end - start;
                if (buffer.length - held < len) {
                    byte[] bigger = new byte[Math.max(buffer.length * 2, held + len)];
                    System.arraycopy(buffer, start, bigger, 0, held);
                    buffer = bigger;
                } else {
                    System.arraycopy(buffer, start, buffer, 0, held);
                }
                start = 0;
                end = held;
            }
            System.arraycopy(b, off, buffer, end, len);
            end += len;
        }

        synchronized int take(byte[] b, int off, int len) {
            int n = Math.min(len, end - start);
            System.arraycopy(buffer, start, b, off, n);
            start += n;
            if (start == end) {
                start = 0;
                end = 0;
            }
            return n;
        }

        @Override
        public void close() {
            // the encoder closes its sink when it ends; what it wrote stays to be read
        }
    }
}
