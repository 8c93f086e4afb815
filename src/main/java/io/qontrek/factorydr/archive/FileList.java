package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hex;
import io.qontrek.factorydr.common.Spool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * An archive's file list, the manifest's {@code files}, in archive order, kept off the heap: a
 * million files take 100 MB as objects but a few KB here. The records are encoded in a buffer that
 * spills, past {@link #IN_MEMORY} bytes, into a temporary file that is unlinked as soon as it is
 * opened, so a process killed at any point leaves nothing behind, and closing the list (or the JVM
 * collecting its channel) frees the disk.
 *
 * <p>Written once by a {@link Builder}, then read any number of times, by several threads at once,
 * each with its own iterator. The builder refuses a path listed twice ({@link UniquePaths}).
 */
public final class FileList implements Iterable<FileRecord>, AutoCloseable {
    /** Encoded bytes kept in memory before the list spills to disk (a few thousand records). */
    static final int IN_MEMORY = 1 << 20;
    private static final int READ_BUFFER = 1 << 16;

    private final byte[] memory; // the records, when they never spilled
    private final FileChannel spool; // else the unlinked file holding them
    private final long encodedBytes;
    private final long count;
    private final long contentBytes;

    private FileList(byte[] memory, FileChannel spool, long encodedBytes, long count, long contentBytes) {
        this.memory = memory;
        this.spool = spool;
        this.encodedBytes = encodedBytes;
        this.count = count;
        this.contentBytes = contentBytes;
    }

    /** A list built in a directory of the caller's (null: java.io.tmpdir) should it spill. */
    public static Builder builder(Path spillDir) {
        return new Builder(spillDir);
    }

    /** A small list, for callers and tests that already hold the records. */
    public static FileList of(Iterable<FileRecord> records) {
        Builder b = builder(null);
        for (FileRecord r : records) b.add(r);
        return b.seal();
    }

    public long count() {
        return count;
    }

    /** The sum of the files' sizes. */
    public long contentBytes() {
        return contentBytes;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** The records in archive order; each iterator reads on its own. I/O failures surface as UncheckedIOException. */
    @Override
    public Iterator<FileRecord> iterator() {
        return new Reader();
    }

    /** The records as a list in memory: for small lists only (tests, a day's alert archive). */
    public List<FileRecord> toList() {
        List<FileRecord> out = new ArrayList<>();
        forEach((Consumer<FileRecord>) out::add);
        return out;
    }

    /** Whether both hold the same records in the same order. */
    public boolean sameRecords(FileList other) {
        if (other.count != count || other.contentBytes != contentBytes) return false;
        Iterator<FileRecord> a = iterator();
        Iterator<FileRecord> b = other.iterator();
        while (a.hasNext()) {
            if (!a.next().equals(b.next())) return false;
        }
        return true;
    }

    @Override
    public void close() {
        if (spool == null) return;
        try {
            spool.close();
        } catch (IOException ignored) {
            // an unlinked file: the disk is freed when the descriptor goes, whatever close says
        }
    }

    @Override
    public String toString() {
        return "FileList[" + count + " files, " + contentBytes + " bytes]";
    }

    /** Appends records in order, then seals them into a {@link FileList}. */
    public static final class Builder implements AutoCloseable {
        private final Path spillDir;
        private ByteBuffer buffer = ByteBuffer.allocate(4096);
        private FileChannel spool;
        private long spooled; // bytes already in the spool file
        private long count;
        private long contentBytes;
        private final UniquePaths unique;
        private boolean sealed;

        private Builder(Path spillDir) {
            this.spillDir = spillDir;
            this.unique = new UniquePaths(spillDir);
        }

        public Builder add(FileRecord r) {
            if (sealed) throw new IllegalStateException("file list already sealed");
            byte[] path = r.path().getBytes(StandardCharsets.UTF_8);
            if (path.length == EntryNames.MANIFEST.length() && r.path().equals(EntryNames.MANIFEST)) {
                throw new IllegalArgumentException("files lists the reserved name manifest.json");
            }
            if (!unique.add(r.path())) throw new IllegalArgumentException("files lists '" + r.path() + "' twice");
            int size = 4 + path.length + 8 + 32;
            ensureRoom(size);
            buffer.putInt(path.length).put(path).putLong(r.size()).put(Hex.decode(r.sha256()));
            count++;
            contentBytes += r.size();
            return this;
        }

        public long count() {
            return count;
        }

        /** The finished list; the builder is spent. */
        public FileList seal() {
            if (sealed) throw new IllegalStateException("file list already sealed");
            sealed = true;
            unique.close();
            FileList list;
            try {
                if (spool == null) {
                    list = new FileList(Arrays.copyOf(buffer.array(), buffer.position()), null, buffer.position(), count, contentBytes);
                } else {
                    flush();
                    list = new FileList(null, spool, spooled, count, contentBytes);
                }
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("cannot write the file list's spool: " + e.getMessage(), e);
            }
            buffer = null;
            return list;
        }

        /** Drops an unsealed list (a failed write); harmless after {@link #seal}. */
        @Override
        public void close() {
            unique.close();
            if (!sealed && spool != null) {
                try {
                    spool.close();
                } catch (IOException ignored) {
                    // unlinked: nothing is left either way
                }
            }
            sealed = true;
        }

        private void ensureRoom(int size) {
            if (buffer.remaining() >= size) return;
            try {
                if (spool == null && buffer.position() + size <= IN_MEMORY) {
                    ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + size));
                    buffer.flip();
                    buffer = bigger.put(buffer);
                    return;
                }
                if (spool == null) spool = Spool.openUnlinked(spillDir, ".files-");
                flush();
                if (buffer.capacity() < size) buffer = ByteBuffer.allocate(size);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot spill the file list to " + (spillDir == null ? "the temporary directory" : spillDir)
                        + ": " + e.getMessage(), e);
            }
        }

        private void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) spooled += spool.write(buffer, spooled);
            buffer.clear();
        }
    }

    /** Reads the records in order from memory or the spool, a buffer at a time. */
    private final class Reader implements Iterator<FileRecord> {
        private final ByteBuffer in;
        private long position; // of the spool, next byte to load
        private long read; // records returned

        Reader() {
            if (memory != null) {
                in = ByteBuffer.wrap(memory);
            } else {
                in = ByteBuffer.allocate(READ_BUFFER);
                in.flip();
            }
        }

        @Override
        public boolean hasNext() {
            return read < count;
        }

        @Override
        public FileRecord next() {
            if (!hasNext()) throw new NoSuchElementException();
            int length = ensure(4).getInt();
            byte[] path = new byte[length];
            ensure(length).get(path);
            long size = ensure(8).getLong();
            byte[] sha = new byte[32];
            ensure(32).get(sha);
            read++;
            return new FileRecord(new String(path, StandardCharsets.UTF_8), size, Hex.encode(sha));
        }

        /** The buffer, holding at least n more bytes. */
        private ByteBuffer ensure(int n) {
            if (in.remaining() >= n) return in;
            if (memory != null) throw new IllegalStateException("file list truncated");
            ByteBuffer target = in;
            if (target.capacity() < n) throw new IllegalStateException("file list record larger than the read buffer");
            target.compact();
            try {
                while (target.position() < n) {
                    int got = spool.read(target, position);
                    if (got < 0) throw new IllegalStateException("file list spool truncated at " + position + " of " + encodedBytes);
                    position += got;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the file list's spool: " + e.getMessage(), e);
            }
            target.flip();
            return target;
        }
    }
}
