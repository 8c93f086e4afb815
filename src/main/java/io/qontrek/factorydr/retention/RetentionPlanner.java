package io.qontrek.factorydr.retention;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which archives the retention policy lets go. A pure function of the catalog (entries and
 * their file lists), the day and the policy.
 *
 * <p>Ages are whole UTC calendar days from an archive's {@code created_at} to the as-of day; "older
 * than N days" means an age above N. The rules, in the order they are applied:
 * <ol>
 *   <li>archives named {@code recovery-proofs/...}, archives of a type no rule covers, and archives
 *       created after the as-of day are kept;</li>
 *   <li>an archive a tripwire holds is kept: the newest full or incremental taken before a backup that saw
 *       the runtime shrink, until an operator acknowledges that backup's findings ({@code factory-dr
 *       tripwire ack}). A held incremental keeps its full and its base chain, as any kept one does;</li>
 *   <li>{@code proof-daily}: goes when older than {@code proofDays}; {@code alerts}: goes when older
 *       than {@code logsDays};</li>
 *   <li>{@code full}: the newest full (as of that day) is always kept; any other goes when older than
 *       {@code fullDays}, unless an incremental that builds on it is itself within {@code fullDays}
 *       (a restore point still inside the window needs its full);</li>
 *   <li>{@code incremental}: goes with its full and never before it (kept exactly while its full is
 *       kept). Its full is the one its {@code base} chain leads to; where the chain ends at a
 *       non-full archive (an incremental may build on a daily proof archive) or at an archive the
 *       catalog no longer knows, the newest full created at or before it, as a restore picks. An
 *       incremental without any full goes when older than {@code fullDays};</li>
 *   <li>every archive on a kept incremental's base chain is kept;</li>
 *   <li>the only-holder guard: an archive may go only if every proof seq
 *       ({@code proof/proof-<seq>.json}) and every daily digest ({@code proof/digests/*.json}) it
 *       holds is also held by a kept archive. Candidates are checked newest first, so where several
 *       expiring archives hold the same seq, the newest copy is the one kept. Keeping an archive
 *       for this reason may keep its full (rule 3) and so its group; the rules are re-applied until
 *       nothing changes.</li>
 * </ol>
 */
public final class RetentionPlanner {
    static final String RECOVERY_PROOFS = "recovery-proofs/";
    private static final Pattern PROOF = Pattern.compile("proof/proof-(\\d+)\\.json");
    private static final Pattern DIGEST = Pattern.compile("proof/digests/([^/]+)\\.json");
    private static final Comparator<CatalogEntry> BY_CREATED = Comparator
            .comparing((CatalogEntry e) -> Instant.parse(e.createdAt())).thenComparing(CatalogEntry::backupId);

    private RetentionPlanner() {}

    /**
     * @param catalog every archive the catalog knows
     * @param files hands each file row the catalog recorded for a backup id to a consumer (e.g.
     *     {@code catalog::forEachFile}): a full's million rows are read, never held
     * @param asOf ages are judged as on this instant's UTC day
     */
    public static RetentionPlan plan(List<CatalogEntry> catalog, java.util.function.BiConsumer<String, java.util.function.Consumer<Catalog.FileRow>> files, Instant asOf,
            RetentionPolicy policy) {
        return plan(catalog, files, asOf, policy, List.of());
    }

    /** @param tripwires the catalog's unacknowledged tripwire findings ({@code Catalog.tripwires(false)}): what they hold is kept */
    public static RetentionPlan plan(List<CatalogEntry> catalog, java.util.function.BiConsumer<String, java.util.function.Consumer<Catalog.FileRow>> files, Instant asOf,
            RetentionPolicy policy, List<Catalog.Tripwire> tripwires) {
        return new Run(catalog, files, LocalDate.ofInstant(asOf, ZoneOffset.UTC), policy, held(tripwires)).plan();
    }

    /** Each held backup id with the reason it is held, from the unacknowledged findings (several may hold one). */
    static Map<String, String> held(List<Catalog.Tripwire> tripwires) {
        Map<String, Map<String, List<String>>> byHeld = new LinkedHashMap<>(); // held -> tripped backup -> findings
        for (Catalog.Tripwire t : tripwires) {
            if (t.held() == null || t.acknowledged()) continue;
            byHeld.computeIfAbsent(t.held(), h -> new LinkedHashMap<>()).computeIfAbsent(t.backupId(), b -> new ArrayList<>()).add(t.finding());
        }
        Map<String, String> out = new LinkedHashMap<>();
        byHeld.forEach((held, by) -> {
            List<String> parts = new ArrayList<>();
            by.forEach((backup, findings) -> parts.add(backup + " (" + findings.get(0)
                    + (findings.size() > 1 ? "; and " + (findings.size() - 1) + " more" : "") + ")"));
            String acks = String.join("', '", by.keySet().stream().map(b -> "factory-dr tripwire ack " + b).toList());
            out.put(held, "held by the tripwire" + (by.size() > 1 ? "s" : "") + " of " + String.join(", ", parts)
                    + ", until '" + acks + "'");
        });
        return out;
    }

    private record Decision(boolean keep, String reason) {}

    private static final class Run {
        final List<CatalogEntry> entries;
        final java.util.function.BiConsumer<String, java.util.function.Consumer<Catalog.FileRow>> files;
        final LocalDate asOf;
        final RetentionPolicy policy;
        final Map<String, CatalogEntry> byId = new HashMap<>();
        final Map<String, CatalogEntry> fullOf = new HashMap<>();
        final Map<String, List<CatalogEntry>> chainOf = new HashMap<>();
        final Map<String, Holdings> holdings = new HashMap<>();
        /** Archives the only-holder guard keeps, with the reason; grows until the plan is stable. */
        final Map<String, String> forced = new LinkedHashMap<>();
        /** Archives a tripwire holds until it is acknowledged, with the reason. */
        final Map<String, String> held;
        CatalogEntry newestFull;

        Run(List<CatalogEntry> catalog, java.util.function.BiConsumer<String, java.util.function.Consumer<Catalog.FileRow>> files, LocalDate asOf, RetentionPolicy policy,
                Map<String, String> held) {
            this.entries = catalog.stream().sorted(BY_CREATED).toList();
            this.files = files;
            this.asOf = asOf;
            this.policy = policy;
            this.held = held;
            for (CatalogEntry e : entries) byId.put(e.backupId(), e);
            for (CatalogEntry e : entries) {
                if (!"full".equals(e.type()) || age(e) < 0) continue;
                newestFull = e; // entries are oldest first
            }
            for (CatalogEntry e : entries) {
                if ("incremental".equals(e.type())) resolveChain(e);
            }
        }

        RetentionPlan plan() {
            Map<String, Decision> decisions;
            while (true) {
                decisions = decide();
                Map<String, String> more = onlyHolders(decisions);
                if (more.isEmpty()) break;
                forced.putAll(more);
            }
            List<RetentionPlan.Removal> removals = new ArrayList<>();
            List<RetentionPlan.Kept> kept = new ArrayList<>();
            for (CatalogEntry e : entries) {
                Decision d = decisions.get(e.backupId());
                if (d.keep()) kept.add(new RetentionPlan.Kept(e, d.reason()));
                else removals.add(new RetentionPlan.Removal(e, d.reason()));
            }
            return new RetentionPlan(asOf, policy, removals, kept);
        }

        /** Rules 1 to 5, with the archives the only-holder guard has kept so far. */
        Map<String, Decision> decide() {
            Map<String, Decision> d = new HashMap<>();
            // incrementals that keep their full: within the window, created after the as-of day, or kept by the guard
            Map<String, CatalogEntry> youngestDependent = new HashMap<>();
            for (CatalogEntry e : entries) {
                if (!"incremental".equals(e.type())) continue;
                CatalogEntry full = fullOf.get(e.backupId());
                if (full == null) continue;
                if (age(e) <= policy.fullDays() || forced.containsKey(e.backupId()) || held.containsKey(e.backupId())) {
                    youngestDependent.put(full.backupId(), e);
                }
            }
            for (CatalogEntry e : entries) {
                String id = e.backupId();
                long age = age(e);
                if (e.name() != null && e.name().startsWith(RECOVERY_PROOFS)) {
                    d.put(id, keep(e, "recovery proofs are kept forever"));
                } else if (age < 0) {
                    d.put(id, keep(e, "created after the as-of day " + asOf));
                } else if (held.containsKey(id)) {
                    d.put(id, keep(e, held.get(id)));
                } else if (forced.containsKey(id)) {
                    d.put(id, new Decision(true, forced.get(id)));
                } else {
                    switch (e.type()) {
                        case "proof-daily" -> d.put(id, byAge(e, age, policy.proofDays(), "daily proof archives"));
                        case "alerts" -> d.put(id, byAge(e, age, policy.logsDays(), "alert logs"));
                        case "full" -> d.put(id, full(e, age, youngestDependent.get(id)));
                        case "incremental" -> { } // below: they follow their full
                        default -> d.put(id, keep(e, "no retention rule for archives of type '" + e.type() + "'"));
                    }
                }
            }
            for (CatalogEntry e : entries) {
                if (d.containsKey(e.backupId())) continue;
                long age = age(e);
                CatalogEntry full = fullOf.get(e.backupId());
                if (full == null) {
                    d.put(e.backupId(), age > policy.fullDays()
                            ? remove(e, age + " days old, beyond " + policy.fullDays() + ", and no full backup in the catalog it builds on")
                            : keep(e, age + " days old, within " + policy.fullDays() + " (no full backup in the catalog it builds on)"));
                } else if (d.get(full.backupId()).keep()) {
                    d.put(e.backupId(), keep(e, "goes with its full " + full.backupId() + ", which is kept"));
                } else {
                    d.put(e.backupId(), remove(e, "goes with its full " + full.backupId() + " (" + age(full) + " days old, beyond "
                            + policy.fullDays() + "); no incremental of it is within " + policy.fullDays() + " days"));
                }
            }
            // rule 5: a kept incremental's base chain stays
            for (CatalogEntry e : entries) {
                if (!"incremental".equals(e.type()) || !d.get(e.backupId()).keep()) continue;
                for (CatalogEntry link : chainOf.getOrDefault(e.backupId(), List.of())) {
                    if (!d.get(link.backupId()).keep()) {
                        d.put(link.backupId(), keep(link, "kept incremental " + e.backupId() + " builds on it"));
                    }
                }
            }
            return d;
        }

        Decision full(CatalogEntry e, long age, CatalogEntry dependent) {
            if (e == newestFull) return keep(e, "newest full backup, never removed (" + age + " days old)");
            if (age <= policy.fullDays()) return keep(e, age + " days old, within " + policy.fullDays());
            if (dependent != null) {
                String why = forced.containsKey(dependent.backupId()) || held.containsKey(dependent.backupId()) ? "is kept"
                        : "is " + age(dependent) + " days old";
                return keep(e, age + " days old, beyond " + policy.fullDays() + ", but incremental " + dependent.backupId()
                        + " builds on it and " + why);
            }
            return remove(e, age + " days old, beyond " + policy.fullDays() + "; no incremental within "
                    + policy.fullDays() + " days builds on it");
        }

        Decision byAge(CatalogEntry e, long age, int days, String what) {
            return age > days ? remove(e, age + " days old, beyond " + days + " (" + what + ")")
                    : keep(e, age + " days old, within " + days + " (" + what + ")");
        }

        /**
         * Rule 6: the removal candidates, newest first, that hold a proof seq or digest no kept archive
         * holds; each one found is counted as kept for the candidates after it.
         */
        Map<String, String> onlyHolders(Map<String, Decision> d) {
            Map<String, String> out = new LinkedHashMap<>();
            List<CatalogEntry> candidates = new ArrayList<>();
            for (CatalogEntry e : entries) if (!d.get(e.backupId()).keep()) candidates.add(e);
            if (candidates.stream().allMatch(e -> holdings(e).isEmpty())) return out;
            Holdings kept = new Holdings();
            for (CatalogEntry e : entries) if (d.get(e.backupId()).keep()) kept.addAll(holdings(e));
            for (int i = candidates.size() - 1; i >= 0; i--) {
                CatalogEntry e = candidates.get(i);
                Holdings h = holdings(e);
                String missing = h.notIn(kept);
                if (missing == null) continue;
                out.put(e.backupId(), e.backupId() + ": only archive holding " + missing + "; kept although "
                        + d.get(e.backupId()).reason().substring(e.backupId().length() + 2));
                kept.addAll(h);
            }
            return out;
        }

        Holdings holdings(CatalogEntry e) {
            return holdings.computeIfAbsent(e.backupId(), id -> Holdings.of(consumer -> files.accept(id, consumer)));
        }

        /** Follows an incremental's base links to its full; records the archives passed on the way. */
        void resolveChain(CatalogEntry inc) {
            List<CatalogEntry> chain = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            seen.add(inc.backupId());
            CatalogEntry cur = inc;
            CatalogEntry full = null;
            while (cur.base() != null) {
                CatalogEntry b = byId.get(cur.base());
                if (b == null || !seen.add(b.backupId())) break;
                if ("full".equals(b.type())) {
                    full = b;
                    break;
                }
                chain.add(b);
                cur = b;
            }
            if (full == null) {
                for (CatalogEntry e : entries) {
                    if ("full".equals(e.type()) && BY_CREATED.compare(e, inc) <= 0) full = e;
                }
            }
            if (full != null) fullOf.put(inc.backupId(), full);
            chainOf.put(inc.backupId(), chain);
        }

        long age(CatalogEntry e) {
            return ChronoUnit.DAYS.between(LocalDate.ofInstant(Instant.parse(e.createdAt()), ZoneOffset.UTC), asOf);
        }

        static Decision keep(CatalogEntry e, String why) {
            return new Decision(true, e.backupId() + ": " + why);
        }

        static Decision remove(CatalogEntry e, String why) {
            return new Decision(false, e.backupId() + ": " + why);
        }
    }

    /** The proof seqs (as ranges) and daily digests an archive holds, from its catalogued file list. */
    static final class Holdings {
        /** Disjoint, non-adjacent ranges of seqs: start -> end, inclusive. */
        private final java.util.TreeMap<Long, Long> seqs = new java.util.TreeMap<>();
        private final Set<String> digests = new TreeSet<>();

        /** From the rows {@code rows} hands over; proofs in path order are seq order, so ranges grow as they come. */
        static Holdings of(java.util.function.Consumer<java.util.function.Consumer<Catalog.FileRow>> rows) {
            Holdings h = new Holdings();
            long[] run = {-1, -1}; // the range being grown, not yet in seqs
            rows.accept(r -> {
                Matcher m = PROOF.matcher(r.path());
                if (m.matches()) {
                    long seq = Long.parseLong(m.group(1));
                    if (run[0] >= 0 && seq == run[1] + 1) {
                        run[1] = seq;
                    } else {
                        if (run[0] >= 0) h.add(run[0], run[1]);
                        run[0] = seq;
                        run[1] = seq;
                    }
                } else if ((m = DIGEST.matcher(r.path())).matches()) {
                    h.digests.add(m.group(1));
                }
            });
            if (run[0] >= 0) h.add(run[0], run[1]);
            return h;
        }

        static Holdings of(List<Catalog.FileRow> rows) {
            return of(rows::forEach);
        }

        boolean isEmpty() {
            return seqs.isEmpty() && digests.isEmpty();
        }

        void addAll(Holdings other) {
            other.seqs.forEach(this::add);
            digests.addAll(other.digests);
        }

        private void add(long lo, long hi) {
            var before = seqs.floorEntry(lo);
            if (before != null && before.getValue() >= lo - 1) {
                lo = before.getKey();
                hi = Math.max(hi, before.getValue());
                seqs.remove(before.getKey());
            }
            var after = seqs.ceilingEntry(lo);
            while (after != null && after.getKey() <= hi + 1) {
                hi = Math.max(hi, after.getValue());
                seqs.remove(after.getKey());
                after = seqs.ceilingEntry(lo);
            }
            seqs.put(lo, hi);
        }

        /** What this holds that {@code kept} does not, in words ("proof seqs 101-150 (50)"), or null. */
        String notIn(Holdings kept) {
            long count = 0;
            long firstLo = -1;
            long firstHi = -1;
            for (var r : seqs.entrySet()) {
                long pos = r.getKey();
                while (pos <= r.getValue()) {
                    var cover = kept.seqs.floorEntry(pos);
                    if (cover != null && cover.getValue() >= pos) {
                        pos = cover.getValue() + 1;
                        continue;
                    }
                    var next = kept.seqs.ceilingEntry(pos);
                    long end = next == null ? r.getValue() : Math.min(r.getValue(), next.getKey() - 1);
                    if (firstLo < 0) {
                        firstLo = pos;
                        firstHi = end;
                    }
                    count += end - pos + 1;
                    pos = end + 1;
                }
            }
            List<String> days = digests.stream().filter(x -> !kept.digests.contains(x)).toList();
            if (count == 0 && days.isEmpty()) return null;
            List<String> parts = new ArrayList<>();
            if (count > 0) {
                parts.add("proof seq" + (count == 1 ? " " + firstLo
                        : "s " + firstLo + (firstHi > firstLo ? "-" + firstHi : "") + (count > firstHi - firstLo + 1 ? " and more" : "")
                        + " (" + count + ")"));
            }
            if (!days.isEmpty()) parts.add("the daily digest" + (days.size() == 1 ? " of " + days.get(0) : "s of " + days.get(0)
                    + " and " + (days.size() - 1) + " more"));
            return String.join(" and ", parts);
        }
    }
}
