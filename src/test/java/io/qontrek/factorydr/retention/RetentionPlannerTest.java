package io.qontrek.factorydr.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The retention rules on hand-built catalogs: one behaviour per test, each with the reason it prints. */
class RetentionPlannerTest {
    static final LocalDate DAY0 = LocalDate.of(2025, 10, 1);
    final List<CatalogEntry> catalog = new ArrayList<>();
    final Map<String, List<Catalog.FileRow>> files = new HashMap<>();

    /** An archive created on DAY0 + day at 03:00Z, holding proof seqs from..to (none when from < 0). */
    private CatalogEntry add(String type, int day, String base, long from, long to) {
        LocalDate d = DAY0.plusDays(day);
        String stamp = d.toString().replace("-", "") + "T030000Z";
        String id;
        String name;
        switch (type) {
            case "full", "incremental" -> {
                id = type + "-" + stamp;
                name = type + "/" + stamp + ".tar.gz.enc";
            }
            case "proof-daily" -> {
                id = "proof-daily-" + d.minusDays(1);
                name = "proof/" + d.minusDays(1) + ".tar.gz.enc";
            }
            case "alerts" -> {
                id = "alerts-" + d.minusDays(1);
                name = "alerts/" + d.minusDays(1) + ".tar.gz.enc";
            }
            default -> {
                id = type + "-" + stamp;
                name = type + "/" + stamp;
            }
        }
        List<Catalog.FileRow> rows = new ArrayList<>();
        for (long s = Math.max(from, 0); from >= 0 && s <= to; s++) {
            rows.add(new Catalog.FileRow(String.format("proof/proof-%012d.json", s), 100, "a".repeat(64)));
        }
        CatalogEntry e = new CatalogEntry(id, type, name, d.atTime(3, 0).toInstant(ZoneOffset.UTC).toString(), base, 1000,
                "b".repeat(64), rows.size(), 100L * rows.size(), to < 0 ? null : to, null, null, null, null, null);
        catalog.add(e);
        files.put(id, rows);
        return e;
    }

    private RetentionPlan plan(int asOfDay) {
        return plan(asOfDay, RetentionPolicy.runbook());
    }

    private RetentionPlan plan(int asOfDay, RetentionPolicy policy) {
        return RetentionPlanner.plan(catalog, (id, each) -> files.getOrDefault(id, List.of()).forEach(each),
                DAY0.plusDays(asOfDay).atStartOfDay(ZoneOffset.UTC).toInstant(), policy);
    }

    private RetentionPlan plan(int asOfDay, List<Catalog.Tripwire> tripwires) {
        return RetentionPlanner.plan(catalog, (id, each) -> files.getOrDefault(id, List.of()).forEach(each),
                DAY0.plusDays(asOfDay).atStartOfDay(ZoneOffset.UTC).toInstant(), RetentionPolicy.runbook(), tripwires);
    }

    /** A finding of {@code tripped}'s tripwire that holds {@code held}; acknowledged when {@code ackedAt} is not null. */
    private static Catalog.Tripwire tripwire(CatalogEntry tripped, CatalogEntry held, String finding, String ackedAt) {
        return new Catalog.Tripwire(1, tripped.backupId(), held.backupId(), tripped.createdAt(), finding, ackedAt);
    }

    private static List<String> removed(RetentionPlan p) {
        return p.removals().stream().map(r -> r.entry().backupId()).toList();
    }

    private static List<String> kept(RetentionPlan p) {
        return p.kept().stream().map(k -> k.entry().backupId()).toList();
    }

    private static String reason(RetentionPlan p, CatalogEntry e) {
        return p.removals().stream().filter(r -> r.entry() == e).map(RetentionPlan.Removal::reason).findFirst()
                .orElseGet(() -> p.kept().stream().filter(k -> k.entry() == e).map(RetentionPlan.Kept::reason).findFirst().orElseThrow());
    }

    @Test
    void dailyProofArchivesGoAfterNinetyDaysWhenAFullHoldsTheirProofs() {
        CatalogEntry old = add("proof-daily", 1, null, 0, 9);
        CatalogEntry edge = add("proof-daily", 2, null, 10, 19);
        CatalogEntry full = add("full", 3, null, 0, 19);
        RetentionPlan p = plan(92); // old: 91 days, edge: 90 days
        assertThat(removed(p)).containsExactly(old.backupId());
        assertThat(kept(p)).containsExactly(edge.backupId(), full.backupId());
        assertThat(reason(p, old)).isEqualTo("proof-daily-2025-10-01: 91 days old, beyond 90 (daily proof archives)");
        assertThat(reason(p, edge)).isEqualTo("proof-daily-2025-10-02: 90 days old, within 90 (daily proof archives)");
    }

    @Test
    void alertArchivesGoAfterSevenDays() {
        CatalogEntry old = add("alerts", 1, null, -1, -1);
        CatalogEntry young = add("alerts", 3, null, -1, -1);
        RetentionPlan p = plan(10);
        assertThat(removed(p)).containsExactly(old.backupId());
        assertThat(kept(p)).containsExactly(young.backupId());
        assertThat(reason(p, old)).isEqualTo("alerts-2025-10-01: 9 days old, beyond 7 (alert logs)");
    }

    @Test
    void fullBackupsGoAfterThirtyDaysButNeverTheNewest() {
        CatalogEntry f0 = add("full", 0, null, 0, 9);
        CatalogEntry f7 = add("full", 7, null, 0, 19);
        RetentionPlan p = plan(45);
        assertThat(removed(p)).containsExactly(f0.backupId());
        assertThat(reason(p, f0)).isEqualTo("full-20251001T030000Z: 45 days old, beyond 30; no incremental within 30 days builds on it");
        assertThat(reason(p, f7)).isEqualTo("full-20251008T030000Z: newest full backup, never removed (38 days old)");

        // years later, the only full still stays
        catalog.remove(f0);
        assertThat(removed(plan(2000))).isEmpty();
    }

    @Test
    void incrementalsGoWithTheirFullAndNotBefore() {
        CatalogEntry f0 = add("full", 0, null, 0, 9);
        CatalogEntry i1 = add("incremental", 1, f0.backupId(), 10, 12);
        CatalogEntry i3 = add("incremental", 3, i1.backupId(), 13, 15);
        CatalogEntry f7 = add("full", 7, null, 0, 15);
        CatalogEntry i8 = add("incremental", 8, f7.backupId(), 16, 17);

        // day 32: f0 is 32 days old, but i3 (29 days) is a restore point within 30 days and needs it and i1
        RetentionPlan p = plan(32);
        assertThat(removed(p)).isEmpty();
        assertThat(reason(p, f0)).isEqualTo("full-20251001T030000Z: 32 days old, beyond 30, but incremental "
                + i3.backupId() + " builds on it and is 29 days old");
        assertThat(reason(p, i1)).isEqualTo(i1.backupId() + ": goes with its full full-20251001T030000Z, which is kept");

        // day 34: the whole group goes together; f7's group stays
        p = plan(34);
        assertThat(removed(p)).containsExactly(f0.backupId(), i1.backupId(), i3.backupId());
        assertThat(kept(p)).containsExactly(f7.backupId(), i8.backupId());
        assertThat(reason(p, i3)).startsWith(i3.backupId() + ": goes with its full full-20251001T030000Z (34 days old, beyond 30)");
    }

    @Test
    void anIncrementalBuildingOnADailyArchiveBelongsToTheFullBeforeIt() {
        CatalogEntry f0 = add("full", 0, null, 0, 9);
        CatalogEntry d1 = add("proof-daily", 1, null, 10, 12);
        CatalogEntry i1 = add("incremental", 1, d1.backupId(), 13, 14); // the collector's base: the last backup of any kind
        add("full", 7, null, 0, 14);
        RetentionPlan p = plan(31); // f0 31 days old, i1 30 days: still a restore point
        assertThat(kept(p)).contains(f0.backupId(), d1.backupId(), i1.backupId());
        // with proofs kept for fewer days than fulls, the daily stays for the incremental that builds on it
        p = plan(31, new RetentionPolicy(10, 30, 7, false));
        assertThat(reason(p, d1)).isEqualTo(d1.backupId() + ": kept incremental " + i1.backupId() + " builds on it");
        p = plan(32);
        assertThat(removed(p)).containsExactly(f0.backupId(), i1.backupId());
    }

    @Test
    void anIncrementalWithoutAnyFullGoesByItsOwnAge() {
        CatalogEntry i = add("incremental", 0, "full-gone", 5, 6);
        CatalogEntry later = add("full", 5, null, 0, 6); // created after it: not a full it can build on
        assertThat(kept(plan(30))).containsExactly(i.backupId(), later.backupId());
        RetentionPlan p = plan(31);
        assertThat(reason(p, i)).isEqualTo(i.backupId() + ": 31 days old, beyond 30, and no full backup in the catalog it builds on");
    }

    @Test
    void theOnlyArchiveHoldingAProofSeqStays() {
        // the runtime pruned proofs 0-9 before the second full: only the old full and the old daily hold them
        CatalogEntry d0 = add("proof-daily", 0, null, 0, 4);
        CatalogEntry f0 = add("full", 1, null, 0, 9);
        CatalogEntry dOld = add("proof-daily", 2, null, 10, 12);
        CatalogEntry f7 = add("full", 7, null, 10, 30);
        RetentionPlan p = plan(200);
        // f0 expired, but it alone still holds seqs 5-9 (and 0-4 with d0): the newest copy stays, d0 goes
        assertThat(kept(p)).containsExactly(f0.backupId(), f7.backupId());
        assertThat(removed(p)).containsExactly(d0.backupId(), dOld.backupId());
        assertThat(reason(p, f0)).isEqualTo(f0.backupId() + ": only archive holding proof seqs 0-9 (10); kept although "
                + "199 days old, beyond 30; no incremental within 30 days builds on it");
        assertThat(reason(p, d0)).isEqualTo(d0.backupId() + ": 200 days old, beyond 90 (daily proof archives)");
    }

    @Test
    void keepingAnIncrementalForItsSeqsKeepsItsFull() {
        CatalogEntry f0 = add("full", 0, null, 0, 9);
        CatalogEntry i1 = add("incremental", 1, f0.backupId(), 10, 12);
        CatalogEntry f7 = add("full", 7, null, 13, 20); // seqs 10-12 were pruned by the runtime before f7
        List<Catalog.FileRow> rows = new ArrayList<>(files.get(f0.backupId()));
        rows.addAll(files.get(f7.backupId()));
        files.put(f7.backupId(), rows);
        RetentionPlan p = plan(100);
        assertThat(removed(p)).isEmpty();
        assertThat(reason(p, i1)).startsWith(i1.backupId() + ": only archive holding proof seqs 10-12 (3)");
        assertThat(reason(p, f0)).contains("incremental " + i1.backupId() + " builds on it and is kept");
        assertThat(kept(p)).contains(f7.backupId());
    }

    @Test
    void aDigestOnlyOneExpiredArchiveHoldsAlsoKeepsIt() {
        CatalogEntry d = add("proof-daily", 0, null, -1, -1);
        files.put(d.backupId(), List.of(new Catalog.FileRow("proof/digests/2025-09-30.json", 10, "c".repeat(64))));
        add("full", 5, null, 0, 3);
        RetentionPlan p = plan(100);
        assertThat(reason(p, d)).startsWith(d.backupId() + ": only archive holding the daily digest of 2025-09-30;");
    }

    @Test
    void recoveryProofsAndUnknownTypesAreNeverRemoved() {
        CatalogEntry proof = new CatalogEntry("drill-2020", "drill", "recovery-proofs/drill-2020.json", "2020-01-01T00:00:00Z",
                null, 10, "d".repeat(64), 1, 10, null, null, null, null, null, null);
        catalog.add(proof);
        CatalogEntry daily = new CatalogEntry("proof-daily-x", "proof-daily", "recovery-proofs/odd.tar.gz.enc",
                "2020-01-01T00:00:00Z", null, 10, "d".repeat(64), 0, 0, null, null, null, null, null, null);
        catalog.add(daily);
        CatalogEntry other = add("something", 0, null, -1, -1);
        RetentionPlan p = plan(3000);
        assertThat(removed(p)).isEmpty();
        assertThat(reason(p, proof)).isEqualTo("drill-2020: recovery proofs are kept forever");
        assertThat(reason(p, daily)).isEqualTo("proof-daily-x: recovery proofs are kept forever");
        assertThat(reason(p, other)).contains("no retention rule for archives of type 'something'");
    }

    @Test
    void asOfADayInThePastJudgesAsOnThatDay() {
        CatalogEntry f0 = add("full", 0, null, 0, 9);
        CatalogEntry f40 = add("full", 40, null, 0, 19);
        CatalogEntry f50 = add("full", 50, null, 0, 29);
        // as of day 45, f40 is the newest full and f50 does not exist yet
        RetentionPlan p = plan(45);
        assertThat(removed(p)).containsExactly(f0.backupId());
        assertThat(reason(p, f40)).contains("newest full backup");
        assertThat(reason(p, f50)).isEqualTo(f50.backupId() + ": created after the as-of day 2025-11-15");
    }

    @Test
    void thresholdsComeFromThePolicy() {
        CatalogEntry f0 = add("full", 0, null, 0, 9);
        add("full", 7, null, 0, 19);
        CatalogEntry d = add("proof-daily", 8, null, 10, 12);
        assertThat(removed(plan(20))).isEmpty();
        assertThat(removed(plan(20, new RetentionPolicy(10, 10, 7, false)))).containsExactly(f0.backupId(), d.backupId());
    }

    @Test
    void aPlanOfAnEmptyCatalogIsEmpty() {
        RetentionPlan p = RetentionPlanner.plan(List.of(), (id, each) -> { }, Instant.parse("2025-10-01T00:00:00Z"), RetentionPolicy.runbook());
        assertThat(p.removals()).isEmpty();
        assertThat(p.kept()).isEmpty();
    }

    @Test
    void theBackupATripwireHoldsStaysUntilItIsAcknowledged_withItsFull() {
        CatalogEntry f0 = add("full", 0, null, 0, 9);
        CatalogEntry i1 = add("incremental", 1, f0.backupId(), 10, 12);
        CatalogEntry f7 = add("full", 7, null, 0, 12); // saw the ledger cut back: its tripwire holds i1, the backup before it
        String cut = "ledger head seq 20 is below seq 40 of the previous backup " + i1.backupId();

        // no tripwire: at day 60 the old group has expired
        assertThat(removed(plan(60, List.of()))).containsExactly(f0.backupId(), i1.backupId());

        // unacknowledged: i1 is held, and keeps the full it builds on; the dry run says why
        RetentionPlan p = plan(60, List.of(tripwire(f7, i1, cut, null)));
        assertThat(removed(p)).isEmpty();
        assertThat(reason(p, i1)).isEqualTo(i1.backupId() + ": held by the tripwire of " + f7.backupId() + " (" + cut
                + "), until 'factory-dr tripwire ack " + f7.backupId() + "'");
        assertThat(reason(p, f0)).isEqualTo(f0.backupId() + ": 60 days old, beyond 30, but incremental " + i1.backupId()
                + " builds on it and is kept");

        // acknowledged: the policy applies again
        assertThat(removed(plan(60, List.of(tripwire(f7, i1, cut, "2025-12-01T09:00:00Z"))))).containsExactly(f0.backupId(), i1.backupId());
    }

    @Test
    void aHeldFullIsKeptWhateverItsAge_andSeveralTripwiresOnItAreAllNamed() {
        CatalogEntry f0 = add("full", 0, null, 0, 9);
        CatalogEntry f7 = add("full", 7, null, 0, 9);
        CatalogEntry f14 = add("full", 14, null, 0, 9);
        List<Catalog.Tripwire> both = List.of(
                tripwire(f7, f0, "4 proof files that earlier archives hold are gone from proof/: a, b, c, d (copies in " + f0.backupId() + ")", null),
                tripwire(f7, f0, "archive is 10.0 KiB, less than half of the previous full backup's 40.0 KiB (" + f0.backupId() + ")", null),
                tripwire(f14, f0, "archive is 9.0 KiB, under the floor of 1.0 MiB for a full backup", null));
        RetentionPlan p = plan(400, both);
        assertThat(kept(p)).contains(f0.backupId());
        assertThat(reason(p, f0)).startsWith(f0.backupId() + ": held by the tripwires of " + f7.backupId() + " (4 proof files")
                .contains("; and 1 more), " + f14.backupId() + " (archive is 9.0 KiB")
                .endsWith("until 'factory-dr tripwire ack " + f7.backupId() + "', 'factory-dr tripwire ack " + f14.backupId() + "'");
        assertThat(removed(p)).containsExactly(f7.backupId());
        // a finding that holds nothing (no backup before it) changes nothing
        assertThat(removed(plan(400, List.of(new Catalog.Tripwire(1, f0.backupId(), null, f0.createdAt(), "x", null)))))
                .containsExactly(f0.backupId(), f7.backupId());
    }
}
