package io.qontrek.factorydr.observe;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * One inline SVG chart of a value over time (a backup flow's durations, or its archive sizes): points
 * joined by a line over a fixed window, a zero-based y axis rounded up to 1, 2 or 5 times a power of
 * ten, a tick a week. It carries a title and a description for screen readers; the page's tables
 * hold the same facts as text. Every label is escaped; no script, no external resource.
 */
final class BackupChart {
    static final int WIDTH = 460;
    static final int HEIGHT = 180;
    private static final int LEFT = 70;
    private static final int RIGHT = 12;
    private static final int TOP = 12;
    private static final int BOTTOM = 28;
    /** Above this many points each gets no circle of its own (and no tooltip): the line alone stays light. */
    static final int MAX_MARKED_POINTS = 200;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** One value at one time; {@code label} is its tooltip ("backup-full 2026-12-01T03:00:00Z: 12 s"). */
    record Point(Instant at, double value, String label) {}

    private BackupChart() {}

    /**
     * @param id unique on the page (for the title's and description's ids)
     * @param binary whether the values are bytes, so that the axis rounds to 1, 2 or 5 times a power of 1024
     * @param format a value as a tick label ("12 s", "3.4 MiB")
     */
    static String svg(String id, String title, List<Point> points, Instant from, Instant to, boolean binary,
            DoubleFunction<String> format) {
        double max = 0;
        for (Point p : points) max = Math.max(max, p.value());
        double unit = binary && max >= 1024 ? Math.pow(1024, Math.floor(Math.log(max) / Math.log(1024))) : 1;
        double top = niceCeiling(max / unit) * unit;
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" aria-labelledby=\"").append(id).append("-title ").append(id).append("-desc\">");
        s.append("<title id=\"").append(id).append("-title\">").append(Html.escape(title)).append("</title>");
        s.append("<desc id=\"").append(id).append("-desc\">").append(Html.escape(points.isEmpty()
                ? "no successful run from " + DAY.format(from) + " to " + DAY.format(to)
                : points.size() + (points.size() == 1 ? " run" : " runs") + " from " + DAY.format(from) + " to " + DAY.format(to)
                        + ", largest " + format.apply(max))).append("</desc>");
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        // horizontal grid and y labels at round values: a top of 1 or 2 in quarters, of 5 in fifths
        int steps = Math.round(top / unit / Math.pow(10, Math.floor(Math.log10(top / unit)))) == 5 ? 5 : 4;
        for (int i = 0; i <= steps; i++) {
            double v = top * i / steps;
            double y = TOP + plotH - plotH * i / (double) steps;
            s.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"")
                    .append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\"/>");
            if (points.isEmpty()) continue;    // no scale to label
            s.append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(y + 4))
                    .append("\" text-anchor=\"end\">").append(Html.escape(format.apply(v))).append("</text>");
        }
        // a tick a week, from the window's start
        long span = Math.max(1, Duration.between(from, to).toSeconds());
        for (Instant t = from; !t.isAfter(to); t = t.plus(Duration.ofDays(7))) {
            double x = LEFT + plotW * Duration.between(from, t).toSeconds() / (double) span;
            s.append("<line class=\"axis\" x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"")
                    .append(TOP + plotH).append("\" y2=\"").append(TOP + plotH + 4).append("\"/>");
            s.append("<text class=\"tick\" x=\"").append(fmt(x)).append("\" y=\"").append(HEIGHT - 8)
                    .append("\" text-anchor=\"middle\">").append(DAY.format(t)).append("</text>");
        }
        s.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"")
                .append(TOP + plotH).append("\" y2=\"").append(TOP + plotH).append("\"/>");
        if (points.isEmpty()) {
            s.append("<text class=\"empty\" x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(TOP + plotH / 2)
                    .append("\" text-anchor=\"middle\">no successful run in this window</text>");
        } else {
            StringBuilder line = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (Point p : points) {
                double x = LEFT + plotW * Math.max(0, Duration.between(from, p.at()).toSeconds()) / (double) span;
                double y = TOP + plotH - (top == 0 ? 0 : plotH * p.value() / top);
                line.append(line.length() == 0 ? "" : " ").append(fmt(x)).append(',').append(fmt(y));
                if (points.size() <= MAX_MARKED_POINTS) {
                    marks.append("<circle class=\"point\" cx=\"").append(fmt(x)).append("\" cy=\"").append(fmt(y))
                            .append("\" r=\"3\"><title>").append(Html.escape(p.label())).append("</title></circle>");
                }
            }
            if (points.size() > 1) s.append("<polyline class=\"series\" points=\"").append(line).append("\"/>");
            s.append(marks);
        }
        return s.append("</svg>").toString();
    }

    /** The smallest of 1, 2, 5 times a power of ten that is at least {@code v} (1 for 0). */
    static double niceCeiling(double v) {
        if (v <= 0) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * p >= v) return m * p;
        return 10 * p;
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }
}
