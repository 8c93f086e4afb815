package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.common.Hex;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds the daily digests from proofs fed in seq order: one digest for every day from the first
 * proof's day to the last's, days without proofs included, each chained to the day before
 * (the first to ZERO). Streams: only the current day's roots are held.
 *
 * <p>Proof days must not go backwards in seq order; a proof dated before its predecessor's day is
 * refused, since no digest can then cover a contiguous first_seq..last_seq.
 */
public final class DigestChain {
    private final Consumer<DailyDigest> sink;
    private String prevDigest = Hex.ZERO;
    private LocalDate day;
    private Long firstSeq;
    private long lastSeq;
    private Long previousSeq;
    private final List<String> roots = new ArrayList<>();
    private boolean finished;

    /** {@code sink} receives each day's digest, in date order, as soon as the day is complete. */
    public DigestChain(Consumer<DailyDigest> sink) {
        this.sink = sink;
    }

    /** Adds the next proof (seq order) by its created_at and merkle_root. */
    public void add(long seq, String createdAt, String merkleRoot) {
        add(seq, Instant.parse(createdAt).atZone(ZoneOffset.UTC).toLocalDate(), merkleRoot);
    }

    public void add(long seq, LocalDate proofDay, String merkleRoot) {
        if (finished) {
            throw new IllegalStateException("digest chain already finished");
        }
        if (day != null && proofDay.isBefore(day)) {
            throw new IllegalArgumentException("proof seq " + seq + " is dated " + proofDay
                    + ", before the previous proof's day " + day);
        }
        if (previousSeq != null && seq <= previousSeq) {
            throw new IllegalArgumentException("proof seq " + seq + " is not after seq " + previousSeq);
        }
        previousSeq = seq;
        if (day == null) {
            day = proofDay;
        }
        while (day.isBefore(proofDay)) {
            emitDay();
            day = day.plusDays(1);
        }
        if (firstSeq == null) {
            firstSeq = seq;
        }
        lastSeq = seq;
        roots.add(merkleRoot);
    }

    /** Emits the last day. After this, the chain takes no more proofs. */
    public void finish() {
        if (!finished && day != null) {
            emitDay();
        }
        finished = true;
    }

    /** The digest of the last emitted day, ZERO before any. */
    public String lastDigest() {
        return prevDigest;
    }

    private void emitDay() {
        String date = day.toString();
        String digest = DailyDigest.compute(prevDigest, date, roots);
        sink.accept(new DailyDigest(DailyDigest.SCHEMA, date, firstSeq, firstSeq == null ? null : lastSeq,
                prevDigest, digest));
        prevDigest = digest;
        firstSeq = null;
        roots.clear();
    }
}
