package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.config.RuntimeLayout;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Writes logs/ of a sample runtime: for each service its current log and one rotated log a day,
 * the rotated ones last modified 1, 2, ... days (plus an hour) before {@code end} so that backups
 * (48 h) and retention (7 days) both find files on each side of their line; and one alert log a
 * day over the proof period. The service logs share about {@code logMb} MiB between them.
 */
final class SampleLogs {
    private static final List<String> SERVICES = List.of("runtime", "federation-sync", "tower-client", "governance");
    /** At least this many rotated days, so some logs are older than the 7-day retention. */
    private static final int MIN_ROTATED_DAYS = 9;
    private static final long DAY_MILLIS = 86_400_000L;
    private static final long HOUR_MILLIS = 3_600_000L;
    private static final int AVERAGE_LINE = 110;
    private static final String[] PEERS = {"factory-penang", "factory-johor", "factory-ipoh", "factory-kuantan"};

    record Result(long logFiles, long alertFiles) {}

    private final RuntimeLayout layout;
    private final SampleRuntime.Options options;
    private final RandomGenerator random;
    private final Progress progress;

    SampleLogs(RuntimeLayout layout, SampleRuntime.Options options, RandomGenerator random, Progress progress) {
        this.layout = layout;
        this.options = options;
        this.random = random;
        this.progress = progress;
    }

    Result write() throws IOException {
        Files.createDirectories(layout.alertsDir());
        int rotatedDays = Math.max(options.days(), MIN_ROTATED_DAYS);
        int fileCount = SERVICES.size() * (rotatedDays + 1);
        long bytesPerFile = (long) options.logMb() * 1024 * 1024 / fileCount;
        long endMillis = options.end().toEpochMilli();
        long files = 0;
        for (String service : SERVICES) {
            writeLog(layout.logsDir().resolve(service + ".log"), service, endMillis, bytesPerFile);
            files++;
            for (int d = 1; d <= rotatedDays; d++) {
                long modified = endMillis - d * DAY_MILLIS - HOUR_MILLIS;
                LocalDate day = Instant.ofEpochMilli(modified).atZone(ZoneOffset.UTC).toLocalDate();
                writeLog(layout.logsDir().resolve(service + "-" + day + ".log"), service, modified, bytesPerFile);
                files++;
            }
        }
        return new Result(files, writeAlerts());
    }

    /** One alert log a day from the first proof's day to the last's, a handful of alerts each. */
    private long writeAlerts() throws IOException {
        TimeSpread spread = new TimeSpread(options.end(), options.days());
        Instant first = spread.at(0, options.proofs());
        LocalDate day = first.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate last = options.end().atZone(ZoneOffset.UTC).toLocalDate();
        long files = 0;
        for (; !day.isAfter(last); day = day.plusDays(1)) {
            long dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            long modified = Math.min(options.end().toEpochMilli(), dayStart + DAY_MILLIS - 1000);
            StringBuilder text = new StringBuilder();
            int alerts = 3 + random.nextInt(12);
            for (int i = 0; i < alerts; i++) {
                long at = dayStart + (modified - dayStart) * (i + 1) / (alerts + 1);
                text.append(Instant.ofEpochMilli(at).truncatedTo(ChronoUnit.SECONDS)).append(' ');
                appendAlert(text);
                text.append('\n');
            }
            Path file = layout.alertsDir().resolve("alerts-" + day + ".log");
            byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
            Files.write(file, bytes);
            Files.setLastModifiedTime(file, FileTime.fromMillis(modified));
            progress.wrote(1, bytes.length);
            files++;
        }
        return files;
    }

    /** A service log covering the day up to {@code modifiedMillis}, about {@code target} bytes long. */
    private void writeLog(Path file, String service, long modifiedMillis, long target) throws IOException {
        long lines = Math.max(20, target / AVERAGE_LINE);
        long from = modifiedMillis - DAY_MILLIS;
        long step = Math.max(1, DAY_MILLIS / lines);
        LineClock clock = new LineClock();
        StringBuilder line = new StringBuilder(256);
        long written = 0;
        long reported = 0;
        try (BufferedWriter out = new BufferedWriter(
                new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.US_ASCII), 1 << 20)) {
            for (long i = 0; i < lines || written < target; i++) {
                line.setLength(0);
                clock.append(line, Math.min(modifiedMillis, from + i * step));
                appendEvent(line, service);
                line.append('\n');
                out.append(line);
                written += line.length();
                if (written - reported >= (8 << 20)) {
                    SampleRuntime.stopIfCancelled("logs");
                    progress.wrote(0, written - reported);
                    reported = written;
                }
            }
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
        progress.wrote(1, written - reported);
    }

    private void appendEvent(StringBuilder line, String service) {
        int roll = random.nextInt(100);
        String level = roll < 2 ? "ERROR" : roll < 8 ? "WARN " : roll < 30 ? "DEBUG" : "INFO ";
        line.append(' ').append(level).append(" [").append(service).append("] ");
        String peer = PEERS[random.nextInt(PEERS.length)];
        switch (service) {
            case "runtime" -> line.append("proof p-").append(pad(random.nextInt(1_000_000)))
                    .append(" sealed leaves=").append(1 + random.nextInt(16))
                    .append(" root=").append(Long.toHexString(random.nextLong())).append("...");
            case "federation-sync" -> {
                if (level.startsWith("WARN")) {
                    line.append("peer ").append(peer).append(" slow: batch took ").append(500 + random.nextInt(4000)).append(" ms");
                } else {
                    line.append("accepted batch batch-").append(pad(random.nextInt(1_000_000))).append(" from ").append(peer)
                            .append(" nonce=").append(Long.toHexString(random.nextLong()))
                            .append(" size=").append(200 + random.nextInt(60_000)).append("B");
                }
            }
            case "tower-client" -> line.append("receipt issued for p-").append(pad(random.nextInt(1_000_000)))
                    .append(" in ").append(20 + random.nextInt(400)).append(" ms status=200");
            default -> line.append("gate ").append(GATES[random.nextInt(GATES.length)])
                    .append(level.startsWith("ERROR") ? " FAIL" : " pass").append(" evaluated in ")
                    .append(random.nextInt(50)).append(" ms");
        }
    }

    private static final String[] GATES = {"proof_chain_continuous", "tower_receipts_valid", "last_incremental_within_rpo",
            "last_full_within_7_days", "offsite_copy_present", "no_panic_flag"};

    private void appendAlert(StringBuilder text) {
        switch (random.nextInt(4)) {
            case 0 -> text.append("WARN  alert=backup-stale detail=\"last backup ").append(61 + random.nextInt(120))
                    .append(" min ago\"");
            case 1 -> text.append("WARN  alert=federation-replay-rejected peer=").append(PEERS[random.nextInt(PEERS.length)]);
            case 2 -> text.append("INFO  alert=backup-stale resolved");
            default -> text.append("CRIT  alert=proof-chain-break detail=\"receipt late for p-")
                    .append(pad(random.nextInt(1_000_000))).append("\" resolved=true");
        }
    }

    private static String pad(int n) {
        String s = Integer.toString(n);
        return "0".repeat(12 - s.length()) + s;
    }

    /** ISO-8601 UTC with milliseconds; the seconds part is formatted once per second, not once per line. */
    private static final class LineClock {
        private long second = Long.MIN_VALUE;
        private String prefix;

        void append(StringBuilder line, long epochMillis) {
            long s = Math.floorDiv(epochMillis, 1000);
            if (s != second) {
                second = s;
                String full = Instant.ofEpochSecond(s).toString();
                prefix = full.substring(0, full.length() - 1);
            }
            int millis = (int) Math.floorMod(epochMillis, 1000);
            line.append(prefix).append('.');
            if (millis < 100) line.append('0');
            if (millis < 10) line.append('0');
            line.append(millis).append('Z');
        }
    }
}
