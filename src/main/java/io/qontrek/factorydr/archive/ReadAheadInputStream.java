package io.qontrek.factorydr.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads the stream beneath it on a thread of its own, a few chunks ahead of the reader, so the two
 * halves of a pipeline run on two cores: below, read + SHA-256 + decrypt + gunzip; above, untar +
 * hash each file + write it. Memory is bounded: {@link #CHUNKS} buffers of {@link #CHUNK} bytes.
 *
 * <p>A failure below is handed to the reader as the very exception thrown, at the point in the
 * stream where it happened, and again on every later read. {@link #close()} stops the thread and
 * waits for it, so the stream beneath is never touched by it afterwards; it does not close that
 * stream (the caller owns it).
 */
final class ReadAheadInputStream extends InputStream {
    static final int CHUNK = 256 * 1024;
    static final int CHUNKS = 4;
    private static final long POLL_MS = 50;

    /** A filled buffer, the end of the stream (n = -1), or a failure. */
    private record Chunk(byte[] bytes, int n, Throwable failure) {}

    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS);
    private final Thread producer;
    private volatile boolean closed;
    private Chunk current;
    private int pos;

    ReadAheadInputStream(InputStream below) {
        for (int i = 0; i < CHUNKS; i++) free.add(new byte[CHUNK]);
        producer = new Thread(() -> produce(below), "archive-read-ahead");
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(InputStream below) {
        try {
            while (!closed) {
                byte[] buffer = free.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (buffer == null) continue;
                int n = below.readNBytes(buffer, 0, buffer.length); // short only at the end
                if (n > 0 && !hand(new Chunk(buffer, n, null))) return;
                if (n < buffer.length) {
                    hand(new Chunk(null, -1, null));
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) { // handed over, never lost: the reader rethrows it
            try {
                hand(new Chunk(null, -1, t));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Queues a chunk for the reader; false once the reader has closed. */
    private boolean hand(Chunk chunk) throws InterruptedException {
        while (!closed) {
            if (full.offer(chunk, POLL_MS, TimeUnit.MILLISECONDS)) return true;
        }
        return false;
    }

    /** The chunk being read, taking the next when this one is used up; null at the end. */
    private Chunk chunk() throws IOException {
        while (current == null || (current.n() >= 0 && pos == current.n())) {
            if (current != null && current.bytes() != null) free.add(current.bytes());
            try {
                current = full.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for the archive stream");
            }
            pos = 0;
        }
        Throwable failure = current.failure();
        if (failure instanceof IOException e) throw e;
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        return current.n() < 0 ? null : current;
    }

    @Override
    public int read() throws IOException {
        Chunk c = chunk();
        return c == null ? -1 : c.bytes()[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        Chunk c = chunk();
        if (c == null) return -1;
        int n = Math.min(len, c.n() - pos);
        System.arraycopy(c.bytes(), pos, b, off, n);
        pos += n;
        return n;
    }

    /** Whether the thread reading below is still alive. */
    boolean running() {
        return producer.isAlive();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted stopping the archive read-ahead");
        }
    }
}
