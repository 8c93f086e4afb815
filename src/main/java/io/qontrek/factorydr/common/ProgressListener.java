package io.qontrek.factorydr.common;

/** Told how far long work has come (running totals), so a terminal or the log can show it. */
@FunctionalInterface
public interface ProgressListener {
    void progress(long files, long bytes);
}
