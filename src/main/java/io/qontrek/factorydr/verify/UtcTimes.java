package io.qontrek.factorydr.verify;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The contract's UTC times ({@code 2025-10-23T14:00:00Z}, optionally with a fraction), read fast:
 * DateTimeFormatter costs microseconds a call, more than the rest of a proof file, so the common
 * form is checked by hand and anything else falls back to {@link DateTimeFormatter#ISO_INSTANT},
 * which stays the one judge of what is valid (the fast path accepts nothing ISO_INSTANT refuses).
 */
final class UtcTimes {
    private UtcTimes() {}

    /** The UTC day of an ISO-8601 time ending in Z, or null when {@code s} is not one. */
    static LocalDate day(String s) {
        LocalDate fast = fastDay(s);
        if (fast != null) {
            return fast;
        }
        if (!s.endsWith("Z")) {
            return null;
        }
        try {
            return DateTimeFormatter.ISO_INSTANT.parse(s, Instant::from).atZone(ZoneOffset.UTC).toLocalDate();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z} with a real date and time, else null (for the slow path to judge). */
    private static LocalDate fastDay(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        if (n > 20 && (s.charAt(19) != '.' || n - 21 < 1 || n - 21 > 9 || !digits(s, 20, n - 1))) {
            return null;
        }
        int year = number(s, 0, 4), month = number(s, 5, 7), dayOfMonth = number(s, 8, 10);
        int hour = number(s, 11, 13), minute = number(s, 14, 16), second = number(s, 17, 19);
        if (year < 0 || month < 0 || dayOfMonth < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        try {
            return LocalDate.of(year, month, dayOfMonth);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static int number(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
