package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.EntryAttributes;
import io.qontrek.factorydr.archive.FileList;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestJson;
import io.qontrek.factorydr.archive.TarWriter;
import io.qontrek.factorydr.common.ChunkInputStream;
import io.qontrek.factorydr.common.Futures;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.common.Spool;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The archive route's {@code tar} step: a {@link BackupSet} as the bytes of its POSIX tar, every entry in
 * set order and then {@code manifest.json} (the canonical in-tar form of what {@code manifest} makes of the
 * file list), read as a stream by the steps after it (gzip, encrypt, write). The tar is made by a thread
 * of its own ({@code archive-tar}, started by the first read) into a pipe of a few chunks, so memory stays
 * flat whatever the archive's size, and the files are read while the steps after it compress and encrypt.
 *
 * <p>Small files are read ahead by several threads ({@link ReadAhead}); a database snapshot still being
 * taken in the background is waited for when the tar reaches it ({@link SqliteSnapshots}). A failure of
 * the tar (a file that shrank, a listing that failed) is thrown, as it was thrown, by the read that
 * reaches it; closing the stream before its end stops the thread.
 */
public final class TarStream extends ChunkInputStream {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TarStream.class);
    static final int CHUNK = 256 * 1024;
    private static final int CHUNKS = 4;

    private record Chunk(byte[] bytes, int length) {}

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final BackupSet set;
    private final Function<FileList, Manifest> manifest;
    private final Path spillDir;
    private final ProgressListener progress;
    // CHUNKS buffers circulate between free and full; full has room for all of them and END
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS + 1);
    private Thread producer;
    private volatile Throwable failure;
    private volatile FileList files;
    private volatile boolean closed;
    private boolean handedOver;
    private Chunk reading;
    private int at;
    private boolean ended;

    /**
     * The tar of {@code set}; its file list and in-tar manifest spill into {@code spillDir}; {@code progress}
     * hears of every file archived (from the tar's thread).
     */
    public TarStream(BackupSet set, Function<FileList, Manifest> manifest, Path spillDir, ProgressListener progress) {
        this.set = set;
        this.manifest = manifest;
        this.spillDir = spillDir;
        this.progress = progress;
        for (int i = 0; i < CHUNKS; i++) free.add(new byte[CHUNK]);
    }

    public BackupSet set() {
        return set;
    }

    /** Whether every byte of the tar, manifest.json included, has been read. */
    public boolean ended() {
        return ended && failure == null;
    }

    /** Every file archived, in archive order (the manifest's {@code files}), once the tar has been read to its end; the caller closes it. */
    public FileList files() {
        if (!ended()) throw new IllegalStateException("the tar of " + set.name() + " has not been read to its end");
        handedOver = true;
        return files;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("tar stream of " + set.name() + " closed");
        if (len == 0) return 0;
        if (producer == null) start();
        while (reading == null || at == reading.length()) {
            if (reading != null) {
                free.add(reading.bytes());
                reading = null;
            }
            if (ended) return -1;
            Chunk c = take();
            if (c == END) {
                ended = true;
                Throwable t = failure;
                if (t instanceof IOException e) throw e;
                if (t instanceof RuntimeException e) throw e;
                if (t instanceof Error e) throw e;
                if (t != null) throw new IOException(t.getMessage(), t);
                return -1;
            }
            reading = c;
            at = 0;
        }
        int n = Math.min(len, reading.length() - at);
        System.arraycopy(reading.bytes(), at, b, off, n);
        at += n;
        return n;
    }

    /** Stops the tar's thread if it still runs and frees what it made, unless {@link #files} handed it over. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (producer != null) {
            producer.interrupt();
            Futures.joinUninterruptibly(producer);
        }
        if (!handedOver && files != null) files.close();
    }

    private void start() {
        producer = new Thread(this::produce, "archive-tar");
        producer.setDaemon(true);
        producer.start();
    }

    private Chunk take() throws IOException {
        try {
            return full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the tar of " + set.name());
        }
    }

    /** The tar thread: every entry, then manifest.json, into the pipe; then END (after a failure too). */
    private void produce() {
        Pipe out = new Pipe();
        try (ReadAhead ahead = new ReadAhead(set.entries().iterator())) {
            TarWriter tar = new TarWriter(out, spillDir);
            long count = 0;
            long bytes = 0;
            for (ReadAhead.Item item; (item = next(ahead)) != null; ) {
                FileRecord r = add(tar, item);
                if (r == null) continue;
                count++;
                bytes += r.size();
                progress.progress(count, bytes);
            }
            FileList records = tar.files();
            boolean ok = false;
            try (FileChannel inTar = Spool.openUnlinked(spillDir, ".manifest-")) {
                // the tar header needs the in-tar manifest's size: it is written to an unlinked scratch file first
                OutputStream json = new BufferedOutputStream(Channels.newOutputStream(inTar), 1 << 16);
                ManifestJson.writeCanonical(manifest.apply(records), ManifestJson.Form.IN_TAR, json);
                json.flush();
                long size = inTar.position();
                inTar.position(0);
                tar.finish(new BufferedInputStream(Channels.newInputStream(inTar), 1 << 16), size, Instant.now());
                out.finish();
                ok = true;
            } finally {
                if (ok) files = records;
                else records.close();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            full.add(END); // never blocks: full has room for every buffer and END
        }
    }

    /** Archives one entry; null when it is left out (a log rotated away before it could be read). */
    private FileRecord add(TarWriter tar, ReadAhead.Item item) throws IOException {
        BackupSet.Entry e = item.entry();
        ReadAhead.Read read = item.read() == null ? null : ReadAhead.take(item);
        if (e.bytes() != null) {
            EntryAttributes recorded = e.recordedAs() == null ? null : EntryAttributes.of(e.recordedAs());
            return recorded != null ? tar.addBytes(e.path(), e.bytes(), recorded)
                    : tar.addBytes(e.path(), e.bytes(), e.mtime() != null ? e.mtime() : Files.getLastModifiedTime(e.recordedAs()).toInstant());
        }
        if (read != null && read.gone()) {
            LOG.warn("{} was rotated away before it could be archived; left out", e.source());
            return null;
        }
        if (read != null && !read.large()) {
            // a small file, already read (and checked as addFile would) by a read-ahead thread
            return read.attributes() != null ? tar.addBytes(e.path(), read.bytes(), read.attributes())
                    : tar.addBytes(e.path(), read.bytes(), read.mtime());
        }
        if (e.appendOnly()) {
            try {
                return tar.addAppendOnlyFile(e.path(), e.source());
            } catch (NoSuchFileException gone) {
                LOG.warn("{} was rotated away before it could be archived; left out", e.source());
                return null;
            }
        }
        if (e.pending() != null) { // a snapshot still being taken
            long t0 = System.nanoTime();
            SqliteSnapshots.await(e.pending());
            long waited = (System.nanoTime() - t0) / 1_000_000;
            if (waited > 0) LOG.info("{}: waited {} ms for its snapshot", e.path(), waited);
        }
        // a snapshot or delta is archived with the live database's mode, owner and mtime
        return tar.addFile(e.path(), e.source(), e.recordedAs() == null ? null : EntryAttributes.of(e.recordedAs()));
    }

    /** The set's next entry; a listing that fails half-way is the backup's failure. */
    private static ReadAhead.Item next(ReadAhead ahead) throws IOException {
        try {
            return ahead.next();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The tar thread's end of the pipe: fills a free chunk, hands it over full. */
    private final class Pipe extends OutputStream {
        private byte[] chunk;
        private int length;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (chunk == null) chunk = takeFree();
                int n = Math.min(len, CHUNK - length);
                System.arraycopy(b, off, chunk, length, n);
                length += n;
                off += n;
                len -= n;
                if (length == CHUNK) handOver();
            }
        }

        /** Hands over the last, partial chunk. */
        void finish() {
            if (length > 0) handOver();
        }

        private void handOver() {
            full.add(new Chunk(chunk, length));
            chunk = null;
            length = 0;
        }

        private byte[] takeFree() throws IOException {
            try {
                byte[] c;
                // the reader may be gone (a failed step closed the stream): then stop, whether or not the interrupt arrives
                while ((c = free.poll(100, TimeUnit.MILLISECONDS)) == null) {
                    if (closed) throw new InterruptedIOException("the tar of " + set.name() + " was closed");
                }
                return c;
            } catch (InterruptedException e) {
                throw new InterruptedIOException("the tar of " + set.name() + " was stopped");
            }
        }
    }
}
