package io.qontrek.factorydr.common;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work done on another thread, its failure rethrown as it was thrown there. */
public final class Futures {
    private Futures() {}

    /**
     * The result of {@code f}. An IOException, RuntimeException or Error of the task is rethrown
     * unchanged (so messages stay one line and exception types keep their meaning); an interrupt
     * becomes an InterruptedIOException saying what was being waited for.
     */
    public static <T> T await(Future<T> f, String waitingFor) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + waitingFor);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IOException(cause.getMessage(), cause);
        }
    }

    /**
     * Waits until {@code thread} has ended, even through interrupts: for a thread that owns files
     * that must not be touched or removed while it runs. The interrupt is kept for the caller.
     */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
