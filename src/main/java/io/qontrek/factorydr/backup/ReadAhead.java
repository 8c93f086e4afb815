package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.EntryAttributes;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
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
 * <p>Bounded whatever the set's size: entries are pulled from the set's iterator at most
 * {@link #WINDOW} ahead of the tar, and a reader keeps a file's bytes only when it is at most
 * {@link #SMALL} (at most {@code WINDOW * SMALL} bytes held); a larger file is left for the tar to
 * stream itself (the kernel's sequential read-ahead serves those well).
 */
final class ReadAhead implements AutoCloseable {
    static final int SMALL = 64 << 10;
    static final int WINDOW = 256;
    static final int READERS = 8;

    /**
     * A file read ahead: its bytes, mtime and attributes (null where the file system has none), or gone
     * (an append-only file rotated away), or too large to hold.
     */
    record Read(byte[] bytes, Instant mtime, EntryAttributes attributes, boolean gone, boolean large) {
        static final Read GONE = new Read(null, null, null, true, false);
        static final Read LARGE = new Read(null, null, null, false, true);
    }

    /** The next entry for the tar and, for a file on disk, its read (null for bytes in memory or a pending snapshot). */
    record Item(BackupSet.Entry entry, Future<Read> read) {}

    private final Iterator<BackupSet.Entry> source;
    private final ExecutorService readers;
    private final ArrayDeque<Item> ahead = new ArrayDeque<>();

    ReadAhead(Iterator<BackupSet.Entry> source) {
        this.source = source;
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r, "backup-read-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The next entry in set order, or null after the last. */
    Item next() {
        fill();
        Item item = ahead.poll();
        fill();
        return item;
    }

    /** What the reader found for this item's file. */
    static Read take(Item item) throws IOException {
        try {
            return item.read().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + item.entry().source());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException re) throw re;
            throw new IOException(cause);
        }
    }

    private void fill() {
        while (ahead.size() < WINDOW && source.hasNext()) {
            BackupSet.Entry e = source.next();
            boolean onDisk = e.bytes() == null && e.source() != null && e.pending() == null;
            ahead.add(new Item(e, onDisk ? readers.submit(() -> read(e)) : null));
        }
    }

    private static Read read(BackupSet.Entry e) throws IOException {
        Path source = e.source();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(source, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            if (e.appendOnly()) return Read.GONE;
            throw gone;
        }
        if (!attributes.isRegularFile()) throw new IOException("cannot archive " + source + ": not a regular file");
        long size = attributes.size();
        if (size > SMALL) return Read.LARGE;
        EntryAttributes recorded;
        try {
            recorded = EntryAttributes.of(e.recordedAs() != null ? e.recordedAs() : source); // a delta: as its live database
        } catch (NoSuchFileException gone) {
            if (e.appendOnly()) return Read.GONE;
            throw gone;
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
            if (e.appendOnly()) return Read.GONE;
            throw gone;
        }
        return new Read(bytes, attributes.lastModifiedTime().toInstant(), recorded, false, false);
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
