package io.qontrek.factorydr.offsite;

import java.time.Duration;

/** What one offsite upload did: how many of the archive's three objects it sent, and how fast. */
public record OffsiteCopy(String name, int uploaded, int alreadyStored, long bytesUploaded, Duration took) {
    public double megabytesPerSecond() {
        return bytesUploaded / 1e6 / Math.max(took.toMillis() / 1000.0, 0.001);
    }

    public String summary() {
        if (uploaded == 0) return name + " already offsite (" + alreadyStored + " objects checked); nothing uploaded";
        return String.format("%s copied offsite: %d objects, %.1f MB in %.1f s (%.1f MB/s), checked", name, uploaded,
                bytesUploaded / 1e6, took.toMillis() / 1000.0, megabytesPerSecond());
    }
}
