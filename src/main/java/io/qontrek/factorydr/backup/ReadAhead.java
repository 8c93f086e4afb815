package io.qontrek.factorydr.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads the small files of a backup set ahead of the tar, with several readers at once. On a cold
 * cache, reading tens of thousands of small proof files one after the other waits on the disk for
 * every file (60k proofs: 6-11 s); a few readers in parallel keep the disk's queue full (about 2 s),
 * while the tar thread only copies bytes that are already in memory.
 *
 * <p>The checks are those of {@code TarWriter.addFile}/{@code addAppendOnlyFile}, made by the reader:
 * the size is taken before reading, a file that shrinks while read fails naming it, a file that grows
 * fails unless it is append-only (then exactly its first {@code size} bytes, a consistent prefix), and
 * an append-only file rotated away before it is read is reported as gone. A failure is reported when
 * the tar reaches that file, so archive order and error order are those of the set.
 *
 * <p>Bounded: at most {@link #WINDOW} files and {@link #BUDGET} bytes are held ahead of the tar. Files
 * larger than {@link #SMALL} are not read ahead: the tar streams them itself (the kernel's sequential
 * read-ahead serves those well).
 */
final class ReadAhead implements AutoCloseable {
    static final int SMALL = 1 << 20;
    static final int WINDOW = 512;
    static final long BUDGET = 32L << 20;
    static final int READERS = 8;

    /** A file read ahead: its bytes and mtime, or gone (an append-only file rotated away), or a failure. */
    record Read(byte[] bytes, Instant mtime, boolean gone) {}

    private final List<BackupSet.Entry> entries;
    private final ExecutorService readers;
    private final long[] sizes; // per entry: its size when read ahead, else -1
    private final ArrayDeque<Ahead> ahead = new ArrayDeque<>();

    private record Ahead(int index, Future<Read> read) {}
    private int next; // the next entry to schedule
    private long bytesAhead;

    ReadAhead(List<BackupSet.Entry> entries) {
        this.entries = entries;
        this.sizes = new long[entries.size()];
        for (int i = 0; i < sizes.length; i++) {
            BackupSet.Entry e = entries.get(i);
            long size = -1;
            if (e.bytes() == null && e.source() != null && e.pending() == null) {
                try {
                    size = Files.size(e.source());
                } catch (IOException gone) {
                    size = 0; // the reader reports it, in order
                }
                if (size > SMALL) size = -1;
            }
            sizes[i] = size;
        }
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r, "backup-read-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether entry {@code index} is read ahead (a small file on disk) rather than streamed by the tar. */
    boolean covers(int index) {
        return sizes[index] >= 0;
    }

    /**
     * The read of entry {@code index}, which must be the next read-ahead entry in set order (the
     * caller asks for them in order and skips entries that are not read ahead).
     */
    Read take(int index) throws IOException {
        fill(index);
        Ahead a = ahead.poll();
        if (a == null || a.index() != index) throw new IllegalStateException("entry " + index + " is not the next one read ahead");
        bytesAhead -= sizes[index];
        try {
            return a.read().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + entries.get(index).source());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException re) throw re;
            throw new IOException(cause);
        } finally {
            fill(index + 1);
        }
    }

    /** Schedules small files from {@code from} on while the window and the byte budget allow. */
    private void fill(int from) {
        if (next < from) next = from;
        while (next < entries.size() && ahead.size() < WINDOW && bytesAhead < BUDGET) {
            int i = next++;
            if (sizes[i] < 0) continue; // the tar streams this one itself
            BackupSet.Entry e = entries.get(i);
            bytesAhead += sizes[i];
            long listed = sizes[i];
            ahead.add(new Ahead(i, readers.submit(() -> read(e, listed))));
        }
    }

    private static Read read(BackupSet.Entry e, long listed) throws IOException {
        Path source = e.source();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(source, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            if (e.appendOnly()) return new Read(null, null, true);
            throw gone;
        }
        if (!attributes.isRegularFile()) throw new IOException("cannot archive " + source + ": not a regular file");
        long size = attributes.size();
        if (size > SMALL) {
            // grew past the read-ahead limit since it was listed: memory stays bounded
            if (!e.appendOnly()) {
                throw new IOException(source + " grew while being archived: " + listed + " bytes when listed, " + size + " when read");
            }
            size = listed; // an append-only file: the prefix it had when listed is a consistent one
        }
        byte[] bytes = new byte[(int) size];
        try (InputStream in = Files.newInputStream(source)) {
            int got = in.readNBytes(bytes, 0, bytes.length);
            if (got < size) {
                throw new IOException(source + " shrank while being archived: expected " + size + " bytes, got " + got);
            }
            if (!e.appendOnly() && in.read() >= 0) {
                throw new IOException(source + " grew while being archived: expected " + size + " bytes");
            }
        } catch (NoSuchFileException gone) {
            if (e.appendOnly()) return new Read(null, null, true);
            throw gone;
        }
        return new Read(bytes, attributes.lastModifiedTime().toInstant(), false);
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
