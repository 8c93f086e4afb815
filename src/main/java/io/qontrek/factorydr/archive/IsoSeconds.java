package io.qontrek.factorydr.archive;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The manifest's times, "2025-10-23T14:00:00Z", read and written without java.time's general
 * formatter: a manifest holds one per file, and at a million files Instant.parse and ISO_INSTANT were
 * a tenth of a restore's reading of the manifest (JFR). Anything that is not whole seconds in years
 * 0000-9999 goes through java.time, so the results are exactly ISO_INSTANT's (IsoSecondsTest compares
 * the two over random times and malformed strings).
 */
final class IsoSeconds {
    private IsoSeconds() {}

    /** What {@code DateTimeFormatter.ISO_INSTANT.format(t)} gives. */
    static String format(Instant t) {
        long s = t.getEpochSecond();
        if (t.getNano() != 0 || s < MIN || s > MAX) return DateTimeFormatter.ISO_INSTANT.format(t);
        long day = Math.floorDiv(s, 86400);
        int secOfDay = (int) Math.floorMod(s, 86400);
        LocalDate d = LocalDate.ofEpochDay(day);
        char[] c = new char[20];
        digits(c, 0, d.getYear(), 4);
        c[4] = '-';
        digits(c, 5, d.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, d.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, secOfDay / 3600, 2);
        c[13] = ':';
        digits(c, 14, secOfDay / 60 % 60, 2);
        c[16] = ':';
        digits(c, 17, secOfDay % 60, 2);
        c[19] = 'Z';
        return new String(c);
    }

    /**
     * The instant {@code text} names, if it is exactly in the form ISO_INSTANT writes (so that writing it
     * back gives the same text); otherwise DateTimeParseException, or IllegalArgumentException naming the
     * form, as the caller's check did.
     */
    static Instant parse(String text) {
        if (text.length() == 20 && shape(text)) {
            try {
                LocalDate d = LocalDate.of(num(text, 0, 4), num(text, 5, 2), num(text, 8, 2));
                int h = num(text, 11, 2), m = num(text, 14, 2), sec = num(text, 17, 2);
                if (h < 24 && m < 60 && sec < 60) return Instant.ofEpochSecond(d.toEpochDay() * 86400 + h * 3600L + m * 60L + sec);
            } catch (DateTimeException e) {
                // 31 February and the like: java.time below gives its own message
            }
        }
        Instant t = Instant.parse(text);
        if (!DateTimeFormatter.ISO_INSTANT.format(t).equals(text)) {
            throw new IllegalArgumentException("not in the form 2025-10-23T14:00:00Z");
        }
        return t;
    }

    private static final long MIN = LocalDate.of(0, 1, 1).toEpochDay() * 86400;
    private static final long MAX = LocalDate.of(9999, 12, 31).toEpochDay() * 86400 + 86399;

    private static boolean shape(String t) {
        for (int i = 0; i < 20; i++) {
            char c = t.charAt(i);
            boolean ok = switch (i) {
                case 4, 7 -> c == '-';
                case 10 -> c == 'T';
                case 13, 16 -> c == ':';
                case 19 -> c == 'Z';
                default -> c >= '0' && c <= '9';
            };
            if (!ok) return false;
        }
        return true;
    }

    private static int num(String t, int at, int len) {
        int n = 0;
        for (int i = at; i < at + len; i++) n = n * 10 + (t.charAt(i) - '0');
        return n;
    }

    private static void digits(char[] c, int at, int value, int len) {
        for (int i = at + len - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
