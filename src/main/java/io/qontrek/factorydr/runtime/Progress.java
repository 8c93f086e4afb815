package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.common.ProgressListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Running totals of files and bytes written by several threads, passed on to a listener at most
 * ten times a second (and once at the end), one call at a time, totals never going down.
 */
final class Progress {
    private static final long INTERVAL_NANOS = 100_000_000L;

    private final ProgressListener listener;
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile long lastReport = System.nanoTime();

    Progress(ProgressListener listener) {
        this.listener = listener == null ? (f, b) -> {} : listener;
    }

    void wrote(long fileCount, long byteCount) {
        files.addAndGet(fileCount);
        bytes.addAndGet(byteCount);
        long now = System.nanoTime();
        if (now - lastReport >= INTERVAL_NANOS) {
            synchronized (this) {
                if (now - lastReport >= INTERVAL_NANOS) {
                    lastReport = now;
                    listener.progress(files.get(), bytes.get());
                }
            }
        }
    }

    synchronized void finish() {
        listener.progress(files.get(), bytes.get());
    }

    long files() {
        return files.get();
    }

    long bytes() {
        return bytes.get();
    }
}
