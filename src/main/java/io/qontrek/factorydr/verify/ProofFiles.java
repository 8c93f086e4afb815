package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.common.ParallelIo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.PrimitiveIterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The one way the verifiers read every proof file: many files at a time, handed to the caller one
 * by one in seq order, exactly as a single {@link ProofReader} walking the seqs would have read them
 * (each seq's record or its failure, in order), so what a verifier reports and which problem comes
 * first do not change.
 *
 * <p>Two stages. {@link ParallelIo#THREADS} threads read the files (a cold page cache then has that
 * many reads in flight instead of one: the 60k proof files of a 1.5 GB runtime take 1.3-1.5 s that
 * way against 5-7 s one after another); one thread per core parses and hashes what they read. The
 * parsing stays off the reading threads so that the JIT compilers are not starved by a dozen
 * threads interpreting the parser at start-up.
 *
 * <p>Memory stays bounded: at most {@link #WINDOW} files are read ahead of the caller, each held as
 * its bytes only until parsed (a file over {@link #KEEP_BYTES} is not held: the parsing thread reads
 * it itself, with its reader's reused buffer) and then as its {@link ProofRecord}, a few short strings.
 */
final class ProofFiles {
    /** Files one task reads or parses: enough to make handing work over cheap beside the files. */
    static final int BATCH = 32;
    /** Files read ahead of the caller at most. */
    static final int WINDOW = 1024;
    /** Larger files are not held between the stages (so at most WINDOW x KEEP_BYTES in flight). */
    static final int KEEP_BYTES = 64 * 1024;

    /** One proof file as a single reader would have read it: its record, or the reason it could not be read. */
    record Read(long seq, String name, ProofRecord proof, IOException failure) {}

    /** What the caller does with each file, in seq order. */
    @FunctionalInterface
    interface Visitor<E extends Exception> {
        void accept(Read read) throws E;
    }

    private ProofFiles() {}

    /**
     * Reads every proof file of {@code dir} and calls {@code visitor} with each, in seq order;
     * returns the bytes of the files read whole. An unexpected exception (not an IOException)
     * while reading or parsing a file is thrown when the caller reaches that seq; one from the
     * visitor ends the reading.
     */
    static <E extends Exception> long forEach(ProofDirectory dir, boolean computeRoots, Visitor<E> visitor)
            throws E {
        PrimitiveIterator.OfLong seqs = dir.seqs();
        if (!seqs.hasNext()) return 0;
        ThreadLocal<ProofReader> readers = ThreadLocal.withInitial(() -> new ProofReader(computeRoots));
        long bytes = 0;
        try (ParallelIo io = new ParallelIo(); ParallelIo cpu = new ParallelIo(Runtime.getRuntime().availableProcessors())) {
            ArrayDeque<CompletableFuture<Batch>> pending = new ArrayDeque<>();
            int ahead = Math.max(1, WINDOW / BATCH);
            while (seqs.hasNext() && pending.size() < ahead) {
                pending.add(submit(io, cpu, dir, nextBatch(seqs), readers));
            }
            while (!pending.isEmpty()) {
                Batch batch = await(pending.poll());
                if (seqs.hasNext()) pending.add(submit(io, cpu, dir, nextBatch(seqs), readers));
                for (int i = 0; i < batch.reads.length; i++) {
                    if (batch.errors[i] != null) throw unchecked(batch.errors[i]);
                    bytes += batch.lengths[i];
                    visitor.accept(batch.reads[i]);
                }
            }
        }
        return bytes;
    }

    /** The files of one batch: first their bytes (or why they could not be read), then their records. */
    private static final class Batch {
        final long[] seqs;
        final String[] names;
        final byte[][] data;        // a file's bytes between the stages; null once parsed, or when too large to hold
        final int[] lengths;        // bytes of each file read whole (0 when it could not be read)
        final IOException[] failures;
        final Read[] reads;
        final Throwable[] errors;   // anything but an IOException, thrown when the caller gets there

        Batch(long[] seqs) {
            int n = seqs.length;
            this.seqs = seqs;
            names = new String[n];
            data = new byte[n][];
            lengths = new int[n];
            failures = new IOException[n];
            reads = new Read[n];
            errors = new Throwable[n];
            for (int i = 0; i < n; i++) names[i] = ProofDirectory.fileName(seqs[i]);
        }
    }

    /** The next BATCH seqs (fewer at the end). */
    private static long[] nextBatch(PrimitiveIterator.OfLong seqs) {
        long[] batch = new long[BATCH];
        int n = 0;
        while (n < BATCH && seqs.hasNext()) batch[n++] = seqs.nextLong();
        return n == BATCH ? batch : Arrays.copyOf(batch, n);
    }

    private static CompletableFuture<Batch> submit(ParallelIo io, ParallelIo cpu, ProofDirectory dir, long[] seqs,
            ThreadLocal<ProofReader> readers) {
        return CompletableFuture.supplyAsync(() -> read(new Batch(seqs), dir, readers.get()), io.pool())
                .thenApplyAsync(b -> parse(b, dir, readers.get()), cpu.pool());
    }

    /** Reading stage: each file's bytes, exactly as ProofReader reads a file (same stream, same failures). */
    private static Batch read(Batch b, ProofDirectory dir, ProofReader reader) {
        for (int i = 0; i < b.seqs.length; i++) {
            try {
                int length = reader.readInto(dir.file(b.seqs[i]));
                b.lengths[i] = length;
                if (length <= KEEP_BYTES) b.data[i] = Arrays.copyOf(reader.buffer(), length);
            } catch (IOException e) {
                b.failures[i] = e;
            } catch (RuntimeException | Error e) {
                b.errors[i] = e;
                break;      // a single reader would have stopped here
            }
        }
        return b;
    }

    /** Parsing stage: each file's record, or its failure, in the batch's order. */
    private static Batch parse(Batch b, ProofDirectory dir, ProofReader reader) {
        for (int i = 0; i < b.seqs.length; i++) {
            if (b.errors[i] != null) break;
            long seq = b.seqs[i];
            try {
                if (b.failures[i] != null) throw b.failures[i];
                ProofRecord proof;
                if (b.data[i] != null) {
                    proof = reader.parse(b.data[i], b.lengths[i], b.names[i]);
                } else {
                    // too large to have been held: read here, whole, as a single reader would
                    int length = reader.readInto(dir.file(seq));
                    b.lengths[i] = length;
                    proof = reader.parse(reader.buffer(), length, b.names[i]);
                }
                b.reads[i] = new Read(seq, b.names[i], proof, null);
            } catch (IOException e) {
                b.reads[i] = new Read(seq, b.names[i], null, e);
            } catch (RuntimeException | Error e) {
                b.errors[i] = e;
                break;
            } finally {
                b.data[i] = null;
            }
        }
        return b;
    }

    private static Batch await(CompletableFuture<Batch> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while reading proof files"));
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
