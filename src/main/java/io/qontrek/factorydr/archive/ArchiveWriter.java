package io.qontrek.factorydr.archive;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The whole write chain in one visible place: {@link TarWriter} into {@link Gzip} into
 * {@link OpensslCipher} into a new file, hashing the encrypted bytes on their way to disk so the
 * archive's size and SHA-256 are known without reading it back.
 *
 * <p>The file is created new (an existing file is never overwritten). {@link #finish} fsyncs it and
 * returns its size and SHA-256; closing without a successful finish deletes the file, so no half-written
 * archive is left behind. Publishing (temp name, verify, rename) is the caller's job.
 */
public final class ArchiveWriter implements Closeable {
    private final Path file;
    private final FileSink sink;
    private final OutputStream gzip;
    private final TarWriter tar;
    private boolean closed;

    /** Size and lowercase hex SHA-256 of the finished encrypted file. */
    public record Written(Path file, long size, String sha256) {}

    private ArchiveWriter(Path file, FileSink sink, OutputStream gzip) {
        this.file = file;
        this.sink = sink;
        this.gzip = gzip;
        this.tar = new TarWriter(gzip);
    }

    public static ArchiveWriter create(Path file, byte[] password, int gzipThreads) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileSink sink = new FileSink(channel);
        try {
            return new ArchiveWriter(file, sink, Gzip.compressing(OpensslCipher.encrypting(sink, password), gzipThreads));
        } catch (IOException | RuntimeException e) {
            try (sink) {
                Files.deleteIfExists(file);
            }
            throw e;
        }
    }

    public TarWriter tar() {
        return tar;
    }

    /** Ends the tar with {@code manifestJson}, flushes every layer, fsyncs and closes the file. */
    public Written finish(byte[] manifestJson) throws IOException {
        if (closed) throw new IllegalStateException("archive " + file + " already closed");
        tar.finish(manifestJson);
        gzip.close(); // closes the cipher (final padded block), then the file sink (fsync)
        closed = true;
        return new Written(file, sink.count(), sink.sha256());
    }

    /** After {@link #finish}: nothing to do. Otherwise: close every layer and delete the partial file. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        // Under try-with-resources a failure here is added as suppressed to the one that got us here.
        try (sink) {
            gzip.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The hashing channel output; close() fsyncs then closes the channel. */
    private static final class FileSink extends HashingChannelOutput {
        private boolean closed;

        FileSink(FileChannel channel) {
            super(channel);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) throw new IOException("archive file already closed");
            super.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            try (FileChannel channel = channel()) {
                channel.force(true);
            }
        }
    }
}
