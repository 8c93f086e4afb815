package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.archive.HashingChannelOutput;
import io.qontrek.factorydr.common.ChunkInputStream;
import io.qontrek.factorydr.common.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The backup's read-back: the one {@link ArchiveVerifier} reads the archive back from its file while
 * it is being written, in a second thread, so the check overlaps the compression instead of waiting,
 * single-threaded, for the last byte. The archive-store route's write step starts it
 * ({@link StagedArchive#write}); its verifyReadBack step takes its verdict ({@link #verify}), which
 * publish requires before the archive gets its name.
 *
 * <p>What is read is the staged file itself: the checking thread reads each byte only after the
 * writer has handed it to the file ({@link Output} publishes how far it got), so every byte checked
 * is a byte read back from the archive file. Reading the bytes as they reach the file rather than
 * after the fsync reads the same bytes: the fsync changes where they are stored, not what they are.
 */
final class ArchiveReadBack {
    /** The archive's byte stream into its file: counts, hashes and publishes how far the file is written. */
    static final class Output extends HashingChannelOutput {
        private boolean done;
        private boolean aborted;

        Output(FileChannel channel) {
            super(channel);
        }

        @Override
        protected synchronized void written(long total) {
            notifyAll();
        }

        /** Every byte is in the file. */
        synchronized void done() {
            done = true;
            notifyAll();
        }

        /** The write failed: the reader stops. */
        synchronized void abort() {
            aborted = true;
            notifyAll();
        }

        /** Waits until more than {@code position} bytes are written; -1 when the write is done at position. */
        synchronized long awaitBeyond(long position) throws IOException {
            while (count() <= position && !done && !aborted) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the archive back");
                }
            }
            if (aborted) throw new IOException("archive write failed");
            long written = count();
            return written > position ? written : -1;
        }
    }

    /** Reads the staged file behind the writer. */
    private static final class Following extends ChunkInputStream {
        private final Output output;
        private final FileChannel channel;
        private long position;

        Following(Output output, FileChannel channel) {
            this.output = output;
            this.channel = channel;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            long available = output.awaitBeyond(position);
            // done: anything beyond what the writer wrote (there should be nothing) is read too
            int want = available < 0 ? len : (int) Math.min(len, available - position);
            int n = channel.read(ByteBuffer.wrap(b, off, want), position);
            if (n < 0) {
                if (available < 0) return -1;
                throw new IOException("archive file ends at " + position + " bytes, but " + available + " were written");
            }
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private final Path file;
    private final Output output;
    private final ArchiveVerifier verifier;
    private final Thread thread;
    private volatile ArchiveVerifier.Seen seen;
    private volatile Throwable failure;

    private ArchiveReadBack(Path file, Output output, ArchiveVerifier verifier, byte[] password) {
        this.file = file;
        this.output = output;
        this.verifier = verifier;
        this.thread = new Thread(() -> run(password), "archive-read-back");
        this.thread.setDaemon(true);
    }

    /** Starts reading {@code file} back behind {@code output}, which writes it; lists spill into the file's directory. */
    static ArchiveReadBack start(Path file, Output output, byte[] password) {
        ArchiveReadBack check = new ArchiveReadBack(file, output, new ArchiveVerifier(file.getParent()), password);
        check.thread.start();
        return check;
    }

    private void run(byte[] password) {
        try {
            seen = verifier.read(new Following(output, FileChannel.open(file, StandardOpenOption.READ)), password, null);
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Stops the reading thread after a failed write. */
    void abort() {
        output.abort();
        Futures.joinUninterruptibly(thread);
        if (seen != null) seen.close();
    }

    /**
     * After the write is done and the sidecars are written: waits for the read-back and judges it
     * against the sidecars read back from disk, as {@code verify archive} would. Fails with one line
     * naming the first problem.
     */
    void verify(byte[] signingSecret) throws IOException {
        Futures.joinUninterruptibly(thread);
        String x = file.getFileName().toString();
        if (failure != null) {
            if (failure instanceof IOException io) throw new ArchiveException(x + ": cannot read back: " + io.getMessage(), io);
            if (failure instanceof RuntimeException re) throw re;
            throw new IllegalStateException("read-back of " + x + " failed", failure);
        }
        try (ArchiveVerifier.Seen s = seen) {
            if (s.size() != output.count()) throw new ArchiveException(x + ": read back " + s.size() + " bytes, wrote " + output.count());
            try (ArchiveVerifier.Sidecar sidecar = verifier.readSidecars(file, signingSecret)) {
                verifier.judge(file, sidecar, s);
            }
        }
    }
}
