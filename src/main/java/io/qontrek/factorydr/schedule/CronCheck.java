package io.qontrek.factorydr.schedule;

import java.text.ParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * A Quartz cron checked strictly. Quartz's own parser lets some out-of-range numbers through:
 * {@code 0 0 99 * * ?} is accepted and fires every hour, so a typo in a weekly full's hour would
 * quietly make it hourly. Every number of every field is checked against its range here too.
 */
public final class CronCheck {
    private static final String[] FIELDS = {"second", "minute", "hour", "day-of-month", "month", "day-of-week", "year"};
    private static final int[][] RANGES = {{0, 59}, {0, 59}, {0, 23}, {1, 31}, {1, 12}, {1, 7}, {1970, 9999}};
    /** A number that is a value (not the step after '/', nor the n of L-n or n#k, which Quartz checks itself). */
    private static final Pattern VALUE = Pattern.compile("(?<![/#L-])\\b(\\d+)\\b|(?<=\\d-)(\\d+)");

    private CronCheck() {}

    /**
     * Throws, naming the field and the number, when Quartz rejects {@code cron} or one of its values is
     * out of range; and when it would never fire from now on (31 February, a year gone by), since a
     * schedule that never fires would leave its backups silently undone.
     */
    public static void validate(String cron) throws ParseException {
        CronExpression.validateExpression(cron);
        String[] fields = cron.trim().split("\\s+");
        for (int i = 0; i < fields.length && i < FIELDS.length; i++) {
            Matcher m = VALUE.matcher(fields[i]);
            while (m.find()) {
                String n = m.group(1) != null ? m.group(1) : m.group(2);
                long v = n.length() > 9 ? Long.MAX_VALUE : Long.parseLong(n);
                if (v < RANGES[i][0] || v > RANGES[i][1]) {
                    throw new ParseException(FIELDS[i] + " value " + n + " is not between " + RANGES[i][0] + " and " + RANGES[i][1], 0);
                }
            }
        }
        if (new CronExpression(cron).getNextValidTimeAfter(new java.util.Date()) == null) {
            throw new ParseException("it never fires from now on", 0);
        }
    }
}
