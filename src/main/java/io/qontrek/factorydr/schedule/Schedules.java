package io.qontrek.factorydr.schedule;

import io.qontrek.factorydr.config.Settings;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * The schedules of routes/schedules.camel.yaml, read from {@code factory.schedule.<flow>.cron} and
 * {@code .enabled} with {@code factory.schedule.time-zone}. The trigger route of flow F is
 * {@code schedule-F}; it starts only when {@code factory.schedule.F.active} is true, a property
 * only {@code serve} sets (see {@link #serveProperties()}).
 */
public final class Schedules {
    /** The scheduled flows, in the order a start-up catch-up runs them. */
    public static final List<String> FLOWS = List.of("proof-daily-archive", "alert-archive", "backup-full",
            "backup-incremental", "offsite-catch-up", "retention", "verify-daily", "drill-quarterly");

    /** One flow's schedule. */
    public record Schedule(String flow, String cron, boolean enabled, ZoneId zone) {
        public String triggerRouteId() {
            return "schedule-" + flow;
        }

        /** The first fire time strictly after the given instant. */
        public Instant nextAfter(Instant t) {
            CronExpression c = expression(cron, zone);
            Date next = c.getTimeAfter(Date.from(t));
            return next == null ? Instant.MAX : next.toInstant();
        }

        /**
         * The fire time a run starting at {@code lastStart} missed, if the next fire after it is
         * already past at {@code now}. Nothing when the flow never ran (no baseline: a fresh
         * install waits for its first fire time).
         */
        public Optional<Instant> missed(Optional<Instant> lastStart, Instant now) {
            if (lastStart.isEmpty()) return Optional.empty();
            Instant next = nextAfter(lastStart.get());
            return next.isAfter(now) ? Optional.empty() : Optional.of(latestFireAtOrBefore(next, now));
        }

        private Instant latestFireAtOrBefore(Instant from, Instant now) {
            Instant fire = from;
            for (int i = 0; i < 100_000; i++) {
                Instant n = nextAfter(fire);
                if (n.isAfter(now)) break;
                fire = n;
            }
            return fire;
        }
    }

    private final List<Schedule> schedules;

    private Schedules(List<Schedule> schedules) {
        this.schedules = schedules;
    }

    /** Reads and checks every schedule; a bad cron or time zone fails naming the property. */
    public static Schedules from(Settings settings) {
        ZoneId zone;
        try {
            zone = ZoneId.of(settings.get("factory.schedule.time-zone", "UTC"));
        } catch (DateTimeException e) {
            throw settings.invalid("factory.schedule.time-zone", "a time zone id such as UTC or Europe/Berlin");
        }
        boolean s3 = settings.getBoolean("factory.s3.enabled");
        List<Schedule> list = new ArrayList<>();
        for (String flow : FLOWS) {
            String cronKey = "factory.schedule." + flow + ".cron";
            String cron = settings.get(cronKey);
            try {
                CronCheck.validate(cron);
            } catch (ParseException e) {
                throw settings.invalid(cronKey, "a Quartz cron expression (sec min hour day-of-month month day-of-week), "
                        + "e.g. 0 0 3 ? * SUN (" + e.getMessage() + ")");
            }
            boolean enabled = settings.getBoolean("factory.schedule." + flow + ".enabled");
            // offsite catch-up has nothing to do (and its route does not start) without S3
            if (flow.equals("offsite-catch-up")) enabled = enabled && s3;
            list.add(new Schedule(flow, cron, enabled, zone));
        }
        return new Schedules(List.copyOf(list));
    }

    public List<Schedule> all() {
        return schedules;
    }

    public List<Schedule> enabled() {
        return schedules.stream().filter(Schedule::enabled).toList();
    }

    /**
     * The properties {@code serve} adds so that each enabled trigger route starts
     * ({@code factory.schedule.<flow>.active=true}). Without them (every CLI command) the trigger
     * routes' {@code autoStartup} resolves to false.
     */
    public Map<String, String> serveProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        for (Schedule s : schedules) p.put("factory.schedule." + s.flow() + ".active", String.valueOf(s.enabled()));
        return p;
    }

    static CronExpression expression(String cron, ZoneId zone) {
        try {
            CronExpression c = new CronExpression(cron);
            c.setTimeZone(TimeZone.getTimeZone(zone));
            return c;
        } catch (ParseException e) {
            throw new IllegalArgumentException("invalid cron " + cron + ": " + e.getMessage(), e);
        }
    }
}
