package io.qontrek.factorydr.runtime;

import java.time.Instant;

/**
 * Spreads n events evenly over the last {@code days} days, the newest exactly at {@code end}, in
 * whole seconds, never going backwards: event i of n happens {@code (n-1-i) * span / n} seconds
 * before end.
 */
record TimeSpread(Instant end, int days) {
    private static final long SECONDS_A_DAY = 86_400L;

    Instant at(long i, long n) {
        long span = days * SECONDS_A_DAY;
        return end.minusSeconds((n - 1 - i) * span / n);
    }
}
