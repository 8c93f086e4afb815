package io.qontrek.factorydr.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * Inflates the members {@link ParallelGzipOutputStream} writes on every core. One thread cuts the
 * stream below into members by the size each header holds ({@link BlockMembers}), reading (and so
 * decrypting) it as it goes; workers inflate each member and check it whole (deflate data that ends
 * exactly where the member does, CRC-32 and length) before its block is handed on; the reader gets
 * the blocks in stream order. Stock gunzip inflates the same file on one core.
 *
 * <p>A failure anywhere (a damaged member, trailing bytes that are no member, the layer below) reaches
 * the reader at its place in the stream, as the very exception thrown, and again on every later read.
 * Memory is bounded: at most {@link #IN_FLIGHT} members per thread are read ahead. Their buffers are
 * recycled ({@link Spares}): a fresh quarter-megabyte array per block lives just long enough to be
 * promoted by a young GC, and the old generation then filled with dead blocks, so the peak RSS grew
 * with the length of the run. {@link #close()} stops the threads and closes the stream below.
 */
final class ParallelGunzipInputStream extends InputStream {
    private static final int IN_FLIGHT = 3;
    private static final long POLL_MS = 50;
    private static final Future<Block> END = CompletableFuture.completedFuture(null);

    private record Block(byte[] bytes, int length) {}

    /**
     * Arrays handed back for reuse, none kept beyond the bound. New ones are at least twice the block
     * {@link ParallelGzipOutputStream} writes, so a member (whose compressed size varies) fits the
     * spare; one too small for a request is dropped.
     */
    private static final class Spares {
        private static final int AT_LEAST = 2 * ParallelGzipOutputStream.BLOCK;
        private final BlockingQueue<byte[]> free;

        Spares(int bound) {
            free = new ArrayBlockingQueue<>(bound);
        }

        byte[] take(int size) {
            byte[] b = free.poll();
            return b != null && b.length >= size ? b : new byte[Math.max(size, AT_LEAST)];
        }

        void give(byte[] b) {
            free.offer(b);
        }
    }

    private final InputStream below;
    private final BlockingQueue<Future<Block>> inOrder;
    private final ExecutorService inflaters;
    private final Queue<BlockInflater> allInflaters = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<BlockInflater> inflater = ThreadLocal.withInitial(() -> {
        BlockInflater i = BlockInflater.open(false);
        allInflaters.add(i);
        return i;
    });
    private final Thread cutter;
    private volatile boolean closed;
    private final Spares members;
    private final Spares blocks;
    private byte[] current;
    private int limit;
    private int pos;
    private boolean ended;
    private Throwable failure;

    ParallelGunzipInputStream(InputStream below, int threads) {
        this.below = below;
        this.inOrder = new ArrayBlockingQueue<>(IN_FLIGHT * threads);
        this.members = new Spares(IN_FLIGHT * threads + threads + 1);
        this.blocks = new Spares(IN_FLIGHT * threads + threads + 2);
        AtomicInteger n = new AtomicInteger();
        this.inflaters = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gzip-inflate-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.cutter = new Thread(this::cut, "gzip-cut");
        cutter.setDaemon(true);
        cutter.start();
    }

    /** The cutter: member after member until the stream ends right after one. */
    private void cut() {
        long offset = 0;
        byte[] header = new byte[BlockMembers.HEADER];
        try {
            while (!closed) {
                int n = below.readNBytes(header, 0, header.length);
                if (n == 0) {
                    hand(END);
                    return;
                }
                if (n < header.length) {
                    throw new IOException("unexpected end of the stream at byte " + offset + " (truncated, or trailing garbage)");
                }
                int size = BlockMembers.size(header);
                if (size < 0) throw new IOException("no block member at byte " + offset + " (damaged, or trailing garbage)");
                if (size < BlockMembers.HEADER + BlockMembers.TRAILER || size > BlockMembers.MAX) {
                    throw new IOException("the member at byte " + offset + " claims " + Integer.toUnsignedString(size) + " bytes (corrupt)");
                }
                int restLength = size - BlockMembers.HEADER;
                byte[] rest = members.take(restLength);
                if (below.readNBytes(rest, 0, restLength) < restLength) {
                    throw new IOException("unexpected end of the member at byte " + offset + " (truncated)");
                }
                long at = offset;
                hand(inflaters.submit(() -> {
                    try {
                        return inflate(rest, restLength, at);
                    } finally {
                        members.give(rest);
                    }
                }));
                offset += size;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) { // handed over in order, never lost: the reader rethrows it
            try {
                hand(CompletableFuture.failedFuture(t));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void hand(Future<Block> f) throws InterruptedException {
        while (!closed) {
            if (inOrder.offer(f, POLL_MS, TimeUnit.MILLISECONDS)) return;
        }
    }

    /** One member, whole: its deflate data ends exactly at its trailer, whose length and CRC-32 it has. */
    private Block inflate(byte[] member, int memberLength, long at) throws IOException {
        int data = memberLength - BlockMembers.TRAILER;
        int crc = BlockMembers.getInt(member, data);
        int length = BlockMembers.getInt(member, data + 4);
        if (length < 0 || length > BlockMembers.MAX) {
            throw new IOException("the member at byte " + at + " claims a block of " + Integer.toUnsignedString(length) + " bytes (corrupt)");
        }
        byte[] out = blocks.take(length);
        inflater.get().inflate(member, data, out, length, at);
        CRC32 check = new CRC32();
        check.update(out, 0, length);
        if ((int) check.getValue() != crc) throw new IOException("CRC-32 mismatch in the member at byte " + at + " (corrupt)");
        return new Block(out, length);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (current == null || pos == limit) {
            if (failure != null) throw rethrown(failure);
            if (ended) return -1;
            next();
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    private void next() throws IOException {
        try {
            Future<Block> f = inOrder.take();
            if (f == END) {
                ended = true;
                return;
            }
            Block block = f.get();
            if (current != null) blocks.give(current);
            current = block.bytes();
            limit = block.length();
            pos = 0;
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while inflating");
        }
    }

    private static IOException rethrown(Throwable t) {
        if (t instanceof IOException io) return io;
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error err) throw err;
        return new IOException(t);
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        cutter.interrupt();
        inflaters.shutdownNow();
        try {
            cutter.join(TimeUnit.SECONDS.toMillis(10));
            inflaters.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // zlib's native state, freed now rather than whenever the cleaner gets to it
        if (inflaters.isTerminated()) allInflaters.forEach(BlockInflater::close);
        if (!cutter.isAlive()) below.close();
    }
}
