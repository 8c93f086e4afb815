package io.qontrek.factorydr.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A sequence of byte records kept off the heap, for state that grows with the runtime (a million
 * files' records, names being sorted, names chosen for an archive). Records are appended to a buffer
 * that, past {@link #IN_MEMORY} bytes, spills into a scratch file created and unlinked at once, so
 * only the open descriptor holds it: a process killed at any point leaves nothing behind, and closing
 * the spool (or the JVM collecting its channel) frees the disk.
 *
 * <p>Appended by one thread; once {@link #seal sealed}, read any number of times, by several threads
 * at once, each with its own iterator (positional reads of the one file).
 */
public final class Spool implements Iterable<byte[]>, AutoCloseable {
    /** Bytes kept in memory before a spool spills to disk. */
    public static final int IN_MEMORY = 1 << 20;
    private static final int BUFFER = 1 << 16;

    private final Path spillDir;
    private ByteBuffer pending = ByteBuffer.allocate(4096);
    private FileChannel file;
    private long spilled;
    private long records;
    private int longest;
    private boolean sealed;

    /** A spool that spills into {@code spillDir} (null: java.io.tmpdir) should it outgrow memory. */
    public Spool(Path spillDir) {
        this.spillDir = spillDir;
    }

    /** Appends one record (its length is kept with it). */
    public void append(byte[] record) {
        append(record, 0, record.length);
    }

    public void append(byte[] record, int offset, int length) {
        if (sealed) throw new IllegalStateException("spool already sealed");
        int size = 4 + length;
        if (pending.remaining() < size) makeRoom(size);
        pending.putInt(length).put(record, offset, length);
        records++;
        longest = Math.max(longest, size);
    }

    /** Records appended. */
    public long size() {
        return records;
    }

    /** Where the next record will start: with {@link #size()}, marks a stretch of records for {@link #iterator(long, long, int)}. */
    public long offset() {
        return spilled + pending.position();
    }

    /** Ends appending; iteration may start. */
    public Spool seal() {
        if (!sealed) {
            sealed = true;
            if (file != null) {
                try {
                    flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot spill to " + where() + ": " + e.getMessage(), e);
                }
                pending = null;
            }
        }
        return this;
    }

    /** The records in order; I/O failures surface as UncheckedIOException. */
    @Override
    public Iterator<byte[]> iterator() {
        return iterator(0, records, BUFFER);
    }

    /**
     * The {@code count} records from byte {@code offset} (an earlier {@link #offset()}), read through
     * a buffer of about {@code bufferBytes}: many readers at once (a merge of sorted runs) keep theirs small.
     */
    public Iterator<byte[]> iterator(long offset, long count, int bufferBytes) {
        if (!sealed) throw new IllegalStateException("spool not sealed");
        if (file == null) return new Reader(ByteBuffer.wrap(pending.array(), (int) offset, pending.position() - (int) offset), 0, count, 0);
        return new Reader(null, offset, count, Math.max(bufferBytes, longest));
    }

    @Override
    public void close() {
        sealed = true;
        if (file == null) return;
        try {
            file.close();
        } catch (IOException ignored) {
            // unlinked: the disk is freed with the descriptor, whatever close says
        }
    }

    private void makeRoom(int size) {
        if (file == null && pending.position() + size <= IN_MEMORY) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + size));
            pending.flip();
            pending = bigger.put(pending);
            return;
        }
        try {
            if (file == null) {
                file = openUnlinked(spillDir, ".spool-");
                ByteBuffer smaller = ByteBuffer.allocate(BUFFER);
                flush();
                pending = smaller;
            } else {
                flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill to " + where() + ": " + e.getMessage(), e);
        }
        if (pending.capacity() < size) pending = ByteBuffer.allocate(size);
    }

    private void flush() throws IOException {
        pending.flip();
        while (pending.hasRemaining()) spilled += file.write(pending, spilled);
        pending.clear();
    }

    private String where() {
        return spillDir == null ? "the temporary directory" : spillDir.toString();
    }

    /** Reads records from memory, or from the file a buffer at a time. */
    private final class Reader implements Iterator<byte[]> {
        private final ByteBuffer in;
        private final boolean fromFile;
        private final long count;
        private long position;
        private long read;

        Reader(ByteBuffer memory, long offset, long count, int buffer) {
            this.count = count;
            fromFile = memory == null;
            if (fromFile) {
                in = ByteBuffer.allocate(buffer);
                in.flip();
                position = offset;
            } else {
                in = memory;
            }
        }

        @Override
        public boolean hasNext() {
            return read < count;
        }

        @Override
        public byte[] next() {
            if (!hasNext()) throw new NoSuchElementException();
            ensure(4);
            int length = in.getInt();
            ensure(length);
            byte[] record = new byte[length];
            in.get(record);
            read++;
            return record;
        }

        private void ensure(int n) {
            if (in.remaining() >= n) return;
            if (!fromFile) throw new IllegalStateException("spool truncated");
            in.compact();
            try {
                while (in.position() < n) {
                    int got = file.read(in, position);
                    if (got < 0) throw new IllegalStateException("spool file truncated at " + position + " of " + spilled);
                    position += got;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read a spool in " + where() + ": " + e.getMessage(), e);
            }
            in.flip();
        }
    }

    /** Where scratch files for {@code dir} go: itself, or java.io.tmpdir when null. */
    public static Path scratchDirectory(Path dir) {
        return dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir;
    }

    /** A new, already unlinked file in {@link #scratchDirectory scratchDirectory(dir)}, open for reading and writing. */
    public static FileChannel openUnlinked(Path dir, String prefix) throws IOException {
        Path parent = scratchDirectory(dir);
        Files.createDirectories(parent);
        Path scratch = Files.createTempFile(parent, prefix, ".spool");
        try {
            return FileChannel.open(scratch, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    /** Unsigned byte order, the order of UTF-8 names that SQLite's BINARY collation and our listings use. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
