package io.qontrek.factorydr.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Standard gzip (RFC 1952) at zlib's default level 6, the level {@code gzip} and {@code tar czf} use.
 *
 * <p>With more than one thread, {@link ParallelGzipOutputStream} deflates 256 KiB blocks concurrently,
 * each primed with the 32 KiB before it as pigz does, into one ordinary gzip member ({@code gzip -t} and
 * {@code tar -xz} read it) the size of gzip -6's. Each stream has its own threads, stopped on close.
 */
public final class Gzip {
    static final int BUFFER = 64 * 1024;

    private Gzip() {}

    /** Compresses into {@code sink}; {@code close()} writes the gzip trailer and closes {@code sink}. */
    public static OutputStream compressing(OutputStream sink, int threads) throws IOException {
        if (threads < 1) throw new IllegalArgumentException("gzip threads must be at least 1, got " + threads);
        if (threads == 1) return new GZIPOutputStream(sink, BUFFER);
        return new ParallelGzipOutputStream(sink, threads);
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
}
