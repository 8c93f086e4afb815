package io.qontrek.factorydr.common;

/** Told how far long work has got, so the CLI can show it and the log can record it. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (files, bytes) -> {};

    void progress(long files, long bytes);

    /** A step of long work that counts no files, said once as it starts (the CLI shows it; the log records it). */
    default void step(String line) {}
}
