package io.qontrek.factorydr.offsite;

import java.util.List;

/** What a catch-up sweep did: each archive it found missing offsite, and whether it had to send anything. */
public record CatchUpReport(List<OffsiteCopy> copies) {
    public long uploaded() {
        return copies.stream().filter(c -> c.uploaded() > 0).count();
    }

    public long alreadyThere() {
        return copies.stream().filter(c -> c.uploaded() == 0).count();
    }

    public long bytes() {
        return copies.stream().mapToLong(OffsiteCopy::bytesUploaded).sum();
    }

    public String summary() {
        return String.format("%d archives not offsite: %d uploaded (%.1f MB), %d were already stored and are now recorded",
                copies.size(), uploaded(), bytes() / 1e6, alreadyThere());
    }
}
