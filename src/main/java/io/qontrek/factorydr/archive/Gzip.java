package io.qontrek.factorydr.archive;

import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutorService;
import java.util.zip.GZIPOutputStream;
import org.anarres.parallelgzip.ParallelGZIPEnvironment;
import org.anarres.parallelgzip.ParallelGZIPOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Standard gzip (RFC 1952) at zlib's default level 6, the level {@code gzip} and {@code tar czf} use.
 *
 * <p>With more than one thread, parallelgzip deflates 64 KiB blocks concurrently and stitches them into
 * one ordinary gzip member ({@code gzip -t} and {@code tar -xz} read it). Its blocks do not share a
 * dictionary, so the output is a little larger than single-threaded gzip -6. Its
 * {@code (out, nthreads)} constructor would use a JVM-wide pool sized to all cores; we give each stream
 * its own pool of exactly {@code threads} and shut it down on close.
 */
public final class Gzip {
    static final int BUFFER = 64 * 1024;

    private Gzip() {}

    /** Compresses into {@code sink}; {@code close()} writes the gzip trailer and closes {@code sink}. */
    public static OutputStream compressing(OutputStream sink, int threads) throws IOException {
        if (threads < 1) throw new IllegalArgumentException("gzip threads must be at least 1, got " + threads);
        if (threads == 1) return new GZIPOutputStream(sink, BUFFER);
        ExecutorService pool = ParallelGZIPEnvironment.newThreadPoolExecutor(threads);
        try {
            return new PooledGzipStream(new ParallelGZIPOutputStream(sink, pool, threads), pool, sink);
        } catch (IOException | RuntimeException e) {
            pool.shutdownNow();
            throw e;
        }
    }

    /**
     * Decompresses every gzip member of {@code source}; fails on a bad CRC or length, on truncation and on
     * trailing garbage (java.util.zip.GZIPInputStream silently ignores garbage after a member, which a
     * verifier must not). {@code close()} closes {@code source}.
     */
    public static InputStream decompressing(InputStream source) throws IOException {
        return GzipCompressorInputStream.builder()
                .setInputStream(new BufferedInputStream(source, BUFFER))
                .setDecompressConcatenated(true)
                .get();
    }

    /** Shuts the stream's own pool down and closes the sink even when the gzip trailer fails. */
    private static final class PooledGzipStream extends FilterOutputStream {
        private final ExecutorService pool;
        private final OutputStream sink;
        private boolean closed;

        PooledGzipStream(ParallelGZIPOutputStream gzip, ExecutorService pool, OutputStream sink) {
            super(gzip);
            this.pool = pool;
            this.sink = sink;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            try (sink) {
                out.close();
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
