package io.qontrek.factorydr.common;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs independent read-only checks at once, one per core, so a restore's integrity checks and
 * verifiers take the time of the longest rather than of all together. Results are read back in
 * whatever order the caller chooses, so reports stay in a fixed order; a check's exception is
 * rethrown by {@link Result#get()} as it was thrown.
 */
public final class ParallelChecks {
    /** A check's outcome, waited for. */
    public interface Result<T> {
        T get() throws IOException;
    }

    /** A check: returns its verdict or throws. */
    @FunctionalInterface
    public interface Check<T> {
        T run() throws Exception;
    }

    private final List<Future<?>> submitted = new ArrayList<>();
    private final ExecutorService pool;

    public ParallelChecks() {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "restore-check");
            t.setDaemon(true);
            return t;
        });
    }

    public <T> Result<T> submit(Check<T> check) {
        Future<T> future = pool.submit((Callable<T>) check::run);
        submitted.add(future);
        return () -> Futures.await(future, "a check");
    }

    /** Waits until every submitted check has finished (passed or not), then frees the threads. */
    public void awaitAll() throws IOException {
        pool.shutdown();
        for (Future<?> f : submitted) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // its Result rethrows it when the caller reads it
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for the checks");
            }
        }
    }
}
