package io.qontrek.factorydr.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Standard gzip (RFC 1952). One thread: zlib at its default level 6, the level {@code gzip} and
 * {@code tar czf} use.
 *
 * <p>With more than one thread, {@link ParallelGzipOutputStream} deflates 256 KiB blocks concurrently,
 * each into a gzip member of its own ({@code gzip -t} and {@code tar -xz} read them as one file): with
 * zlib within 1 % of gzip -6's size, with libdeflate (level 5) about 6 % under it. Each stream has its own threads, stopped on close.
 */
public final class Gzip {
    static final int BUFFER = 64 * 1024;

    private Gzip() {}

    /** Compresses into {@code sink} with zlib; {@code close()} writes the gzip trailer and closes {@code sink}. */
    public static OutputStream compressing(OutputStream sink, int threads) throws IOException {
        return compressing(sink, threads, "zlib");
    }

    /**
     * Compresses into {@code sink}; {@code close()} writes the gzip trailer and closes {@code sink}.
     *
     * @param engine {@code auto} (libdeflate where the system has it, else zlib) or {@code zlib}; one thread is zlib
     */
    public static OutputStream compressing(OutputStream sink, int threads, String engine) throws IOException {
        if (threads < 1) throw new IllegalArgumentException("gzip threads must be at least 1, got " + threads);
        BlockDeflater.Engine e = BlockDeflater.Engine.parse(engine);
        if (threads == 1) return new GZIPOutputStream(sink, BUFFER);
        return new ParallelGzipOutputStream(sink, threads, e);
    }

    /** Checks a factory.backup.gzip-engine value; returns what it compresses with on this machine. */
    public static String engine(String engine) {
        return BlockDeflater.Engine.parse(engine).describe();
    }

    /** What {@link #compressing} with these threads and engine compresses with, for the backup's log. */
    public static String describe(int threads, String engine) {
        return threads == 1 ? "1 thread, zlib level " + BlockDeflater.ZLIB_LEVEL : threads + " threads, " + engine(engine);
    }

    /**
     * Decompresses every gzip member of {@code source}; fails on a bad CRC or length, on truncation and on
     * trailing garbage (java.util.zip.GZIPInputStream silently ignores garbage after a member, which a
     * verifier must not). What {@link ParallelGzipOutputStream} wrote is inflated on every core
     * ({@link ParallelGunzipInputStream}); any other gzip on this thread. {@code close()} closes {@code source}.
     */
    public static InputStream decompressing(InputStream source) throws IOException {
        BufferedInputStream in = new BufferedInputStream(source, BUFFER);
        in.mark(BlockMembers.HEADER);
        byte[] first = in.readNBytes(BlockMembers.HEADER);
        in.reset();
        if (first.length == BlockMembers.HEADER && BlockMembers.size(first) >= 0) {
            return new ParallelGunzipInputStream(in, Runtime.getRuntime().availableProcessors());
        }
        return GzipCompressorInputStream.builder()
                .setInputStream(in)
                .setDecompressConcatenated(true)
                .get();
    }

    /** Whether {@code gunzip} (from {@link #decompressing}) already reads ahead on threads of its own. */
    static boolean readsAhead(InputStream gunzip) {
        return gunzip instanceof ParallelGunzipInputStream;
    }
}
