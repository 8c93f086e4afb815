package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Every regular file below a directory, as paths relative to it ('/'-separated), in the byte order of
 * their UTF-8 names (SQLite's BINARY order, so a listing merges with the catalog's), in memory that
 * does not grow with the directory: an external merge sort. Names are sorted {@link #RUN} at a time,
 * each sorted run spooled to an unlinked temporary file, and the runs merged as the listing is read.
 * A directory of a million proofs costs ten runs of 100,000 names, never a million objects at once.
 *
 * <p>Links are never followed. A file or directory the backup cannot read is the operator's to fix
 * (permissions): the listing fails naming it, before anything is archived.
 */
public final class SortedListing implements Iterator<String>, AutoCloseable {
    static final int RUN = 100_000;
    private static final int READ_BUFFER = 1 << 16;

    private final Iterator<byte[]> merged;
    private final FileChannel spool; // null when every name fitted in one run

    private SortedListing(Iterator<byte[]> merged, FileChannel spool) {
        this.merged = merged;
        this.spool = spool;
    }

    /** Lists {@code dir} (absent: nothing); runs spill into {@code spillDir} (null: java.io.tmpdir). */
    public static SortedListing of(Path dir, Path spillDir) throws IOException {
        if (!Files.isDirectory(dir)) return new SortedListing(List.<byte[]>of().iterator(), null);
        Collector c = new Collector(dir, spillDir);
        try {
            Files.walkFileTree(dir, c);
        } catch (AccessDeniedException denied) {
            c.close();
            throw unreadable(denied.getFile());
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c.finish();
    }

    @Override
    public boolean hasNext() {
        return merged.hasNext();
    }

    /** The next path, relative to the listed directory. */
    @Override
    public String next() {
        return new String(merged.next(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (spool == null) return;
        try {
            spool.close();
        } catch (IOException ignored) {
            // unlinked: freed with the descriptor
        }
    }

    private static ConfigException unreadable(String path) {
        return new ConfigException(path + " is not readable: fix its permissions (the backup needs to read it)");
    }

    /** Walks the tree, sorting names a run at a time and spooling the runs. */
    private static final class Collector extends SimpleFileVisitor<Path> {
        private final Path dir;
        private final Path spillDir;
        private final List<byte[]> run = new ArrayList<>();
        private final List<long[]> runs = new ArrayList<>(); // spooled runs: {start, end} in the spool
        private FileChannel spool;
        private long spooled;

        Collector(Path dir, Path spillDir) {
            this.dir = dir;
            this.spillDir = spillDir;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (!attrs.isRegularFile()) return FileVisitResult.CONTINUE; // links, devices: never archived
            if (!Files.isReadable(file)) throw unreadable(file.toString());
            run.add(RuntimeFiles.relative(dir, file).getBytes(StandardCharsets.UTF_8));
            if (run.size() >= RUN) spill();
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            if (!Files.isReadable(d) || !Files.isExecutable(d)) throw unreadable(d.toString());
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof AccessDeniedException) throw unreadable(file.toString());
            throw e;
        }

        private void spill() throws IOException {
            run.sort(Arrays::compareUnsigned);
            if (spool == null) spool = io.qontrek.factorydr.common.Spool.openUnlinked(spillDir, ".listing-");
            long start = spooled;
            ByteBuffer out = ByteBuffer.allocate(READ_BUFFER);
            for (byte[] name : run) {
                if (out.remaining() < 4 + name.length) {
                    write(out);
                    if (out.capacity() < 4 + name.length) out = ByteBuffer.allocate(4 + name.length);
                }
                out.putInt(name.length).put(name);
            }
            write(out);
            runs.add(new long[] {start, spooled});
            run.clear();
        }

        private void write(ByteBuffer out) throws IOException {
            out.flip();
            while (out.hasRemaining()) spooled += spool.write(out, spooled);
            out.clear();
        }

        SortedListing finish() throws IOException {
            if (runs.isEmpty()) {
                run.sort(Arrays::compareUnsigned);
                return new SortedListing(run.iterator(), null);
            }
            if (!run.isEmpty()) spill();
            return new SortedListing(new Merge(spool, runs), spool);
        }

        void close() {
            try {
                if (spool != null) spool.close();
            } catch (IOException ignored) {
                // unlinked
            }
        }
    }

    /** The k-way merge of the spooled runs, each read a buffer at a time. */
    private static final class Merge implements Iterator<byte[]> {
        private final PriorityQueue<RunReader> heads = new PriorityQueue<>((a, b) -> Arrays.compareUnsigned(a.head, b.head));

        Merge(FileChannel spool, List<long[]> runs) {
            for (long[] r : runs) {
                RunReader reader = new RunReader(spool, r[0], r[1]);
                if (reader.advance()) heads.add(reader);
            }
        }

        @Override
        public boolean hasNext() {
            return !heads.isEmpty();
        }

        @Override
        public byte[] next() {
            RunReader r = heads.poll();
            if (r == null) throw new NoSuchElementException();
            byte[] name = r.head;
            if (r.advance()) heads.add(r);
            return name;
        }
    }

    private static final class RunReader {
        private final FileChannel spool;
        private final long end;
        private long position;
        private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER);
        byte[] head;

        RunReader(FileChannel spool, long start, long end) {
            this.spool = spool;
            this.position = start;
            this.end = end;
            in.flip();
        }

        /** Loads the run's next name into head; false at the run's end. */
        boolean advance() {
            try {
                if (!ensure(4)) return false;
                int length = in.getInt();
                if (!ensure(length)) throw new IOException("sorted listing spool truncated");
                head = new byte[length];
                in.get(head);
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the sorted listing's spool: " + e.getMessage(), e);
            }
        }

        private boolean ensure(int n) throws IOException {
            if (in.remaining() >= n) return true;
            in.compact();
            while (in.position() < n && position < end) {
                int limit = (int) Math.min(in.remaining(), end - position);
                ByteBuffer slice = in.slice(in.position(), limit);
                int got = spool.read(slice, position);
                if (got < 0) break;
                in.position(in.position() + got);
                position += got;
            }
            in.flip();
            return in.remaining() >= n;
        }
    }
}
