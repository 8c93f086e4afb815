package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.catalog.CatalogEntry;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses the archives that restore the runtime as it was at the end of a day (UTC), or now for
 * "latest". A pure function of the catalog, the request and the clock:
 * <ul>
 *   <li>the newest full created at or before the restore point;</li>
 *   <li>every incremental created after that full and at or before the restore point;</li>
 *   <li>every daily proof archive whose day is on or after the full's day and not after the restore
 *       day (for "latest": that exists now), and whose proof head seq is beyond the highest seq the
 *       full and incrementals hold, so that it adds proofs;</li>
 *   <li>every daily proof archive (created after the full) that a chosen incremental names as its
 *       base: that incremental holds only what changed after it.</li>
 * </ul>
 * A daily proof archive is judged by the day it covers (its name, {@code proof/YYYY-MM-DD...}), not by
 * its {@code created_at}: the archive of the 23rd is written early on the 24th but holds only proofs
 * of the 23rd, all of which existed at the end of the 23rd. Order: the full, then the rest by
 * {@code created_at} (then backup id), so that a later archive's copy of a file wins.
 *
 * <p>Chain continuity (no missing seq) is not judged here: the restored proof chain is verified
 * after extraction, before anything is swapped in.
 */
public final class RestorePlanner {
    public static final String LATEST = "latest";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern DAILY_NAME = Pattern.compile("(?:.*/)?(\\d{4}-\\d{2}-\\d{2})\\.tar\\.gz\\.enc");
    private static final Comparator<CatalogEntry> BY_CREATED = Comparator
            .comparing((CatalogEntry e) -> Instant.parse(e.createdAt())).thenComparing(CatalogEntry::backupId);

    private RestorePlanner() {}

    /**
     * @param dateOrLatest YYYY-MM-DD (UTC day, not after today) or "latest"
     * @throws IllegalArgumentException the date is not YYYY-MM-DD, or is in the future (names it)
     * @throws RestoreException there is no full backup at or before the restore point (says what exists)
     */
    public static RestorePlan plan(List<CatalogEntry> catalog, String dateOrLatest, Instant now) throws RestoreException {
        Instant upTo;
        LocalDate lastDay;
        if (LATEST.equals(dateOrLatest)) {
            upTo = now;
            lastDay = LocalDate.ofInstant(now, ZoneOffset.UTC);
        } else {
            lastDay = parseDate(dateOrLatest);
            if (lastDay.isAfter(LocalDate.ofInstant(now, ZoneOffset.UTC))) {
                throw new IllegalArgumentException("restore date '" + dateOrLatest + "' is in the future (today is "
                        + LocalDate.ofInstant(now, ZoneOffset.UTC) + ", UTC)");
            }
            upTo = lastDay.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusNanos(1);
        }

        CatalogEntry full = null;
        CatalogEntry oldestFull = null;
        for (CatalogEntry e : catalog) {
            if (!"full".equals(e.type())) continue;
            if (oldestFull == null || BY_CREATED.compare(e, oldestFull) < 0) oldestFull = e;
            if (!created(e).isAfter(upTo) && (full == null || BY_CREATED.compare(e, full) > 0)) full = e;
        }
        if (full == null) {
            if (oldestFull == null) throw new RestoreException("the catalog has no full backup");
            String point = LATEST.equals(dateOrLatest) ? "now (" + now + ")" : dateOrLatest;
            throw new RestoreException("no full backup at or before " + point + "; the oldest full is "
                    + oldestFull.backupId() + " (" + LocalDate.ofInstant(created(oldestFull), ZoneOffset.UTC) + ")");
        }

        Instant fullAt = created(full);
        List<CatalogEntry> rest = new ArrayList<>();
        long held = full.proofHeadSeq() == null ? -1 : full.proofHeadSeq();
        for (CatalogEntry e : catalog) {
            if (!"incremental".equals(e.type())) continue;
            Instant at = created(e);
            if (at.isAfter(fullAt) && !at.isAfter(upTo)) {
                rest.add(e);
                if (e.proofHeadSeq() != null) held = Math.max(held, e.proofHeadSeq());
            }
        }
        // an incremental built on a daily proof archive left out what that archive holds
        java.util.Set<String> bases = new java.util.HashSet<>();
        for (CatalogEntry e : rest) if (e.base() != null) bases.add(e.base());
        LocalDate fullDay = LocalDate.ofInstant(fullAt, ZoneOffset.UTC);
        for (CatalogEntry e : catalog) {
            if (!"proof-daily".equals(e.type())) continue;
            if (bases.contains(e.backupId()) && created(e).isAfter(fullAt)) {
                rest.add(e);
                continue;
            }
            LocalDate day = dailyDay(e);
            if (day.isBefore(fullDay) || day.isAfter(lastDay) || created(e).isAfter(now)) continue;
            if (e.proofHeadSeq() != null && e.proofHeadSeq() > held) rest.add(e);
        }
        rest.sort(BY_CREATED);
        List<CatalogEntry> archives = new ArrayList<>();
        archives.add(full);
        archives.addAll(rest);
        return new RestorePlan(dateOrLatest, upTo, archives);
    }

    /** A strict YYYY-MM-DD, or an IllegalArgumentException naming the bad value. */
    static LocalDate parseDate(String s) {
        try {
            if (s == null || !s.matches("\\d{4}-\\d{2}-\\d{2}")) throw new DateTimeParseException("shape", String.valueOf(s), 0);
            return LocalDate.parse(s, DATE);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("restore date '" + s + "' is not YYYY-MM-DD (a UTC day) or 'latest'");
        }
    }

    /** The day a daily proof archive covers: from its name, else the day of its created_at. */
    private static LocalDate dailyDay(CatalogEntry e) {
        Matcher m = DAILY_NAME.matcher(e.name() == null ? "" : e.name());
        if (m.matches()) {
            try {
                return LocalDate.parse(m.group(1), DATE);
            } catch (DateTimeParseException ignored) {
                // not a real date: fall back to created_at below
            }
        }
        return LocalDate.ofInstant(created(e), ZoneOffset.UTC);
    }

    private static Instant created(CatalogEntry e) {
        return Instant.parse(e.createdAt());
    }
}
