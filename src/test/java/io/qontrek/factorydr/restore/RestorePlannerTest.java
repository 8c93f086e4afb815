package io.qontrek.factorydr.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.catalog.CatalogEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestorePlannerTest {
    static final Instant NOW = Instant.parse("2025-10-28T12:00:00Z");

    static CatalogEntry full(String stamp, long proofHead) {
        String at = iso(stamp);
        return entry("full-" + stamp, "full", "full/" + stamp + ".tar.gz.enc", at, null, proofHead);
    }

    static CatalogEntry incremental(String stamp, String base, Long proofHead) {
        return entry("incremental-" + stamp, "incremental", "incremental/" + stamp + ".tar.gz.enc", iso(stamp), base, proofHead);
    }

    static CatalogEntry daily(String day, String createdAt, Long proofHead) {
        return entry("proof-daily-" + day, "proof-daily", "proof/" + day + ".tar.gz.enc", createdAt, null, proofHead);
    }

    static CatalogEntry alerts(String day, String createdAt) {
        return entry("alerts-" + day, "alerts", "alerts/" + day + ".tar.gz.enc", createdAt, null, null);
    }

    static CatalogEntry entry(String id, String type, String name, String createdAt, String base, Long proofHead) {
        return new CatalogEntry(id, type, name, createdAt, base, 100, "a".repeat(64), 1, 10, proofHead,
                proofHead == null ? null : "b".repeat(64), null, null, null, null);
    }

    /** 20251019T030000Z -> 2025-10-19T03:00:00Z */
    static String iso(String stamp) {
        return stamp.substring(0, 4) + "-" + stamp.substring(4, 6) + "-" + stamp.substring(6, 11) + ":"
                + stamp.substring(11, 13) + ":" + stamp.substring(13, 15) + "Z";
    }

    /** Two weeks of a normal schedule: weekly fulls, incrementals, daily proof archives at 02:00, alert archives. */
    static List<CatalogEntry> twoWeeks() {
        List<CatalogEntry> c = new ArrayList<>();
        c.add(full("20251019T030000Z", 100));
        c.add(incremental("20251019T120000Z", "full-20251019T030000Z", 110L));
        c.add(daily("2025-10-19", "2025-10-20T02:00:00Z", 112L));
        c.add(incremental("20251020T120000Z", "incremental-20251019T120000Z", 130L));
        c.add(daily("2025-10-20", "2025-10-21T02:00:00Z", 135L));
        c.add(alerts("2025-10-20", "2025-10-21T02:10:00Z"));
        c.add(daily("2025-10-25", "2025-10-26T02:00:00Z", 200L));
        c.add(full("20251026T030000Z", 205));
        c.add(incremental("20251026T090000Z", "full-20251026T030000Z", 210L));
        c.add(incremental("20251026T180000Z", "incremental-20251026T090000Z", null)); // nothing new: no head
        c.add(daily("2025-10-26", "2025-10-27T02:00:00Z", 230L));
        c.add(incremental("20251027T090000Z", "incremental-20251026T180000Z", 235L));
        return c;
    }

    @Test
    void aDateTakesTheNewestFullAtOrBeforeItsEndThenIncrementalsThenDailiesThatAddProofs() throws Exception {
        RestorePlan plan = RestorePlanner.plan(twoWeeks(), "2025-10-20", NOW);
        // the daily of the 19th (head 112) adds nothing once the incremental of the 20th (head 130) is applied
        assertThat(plan.backupIds()).containsExactly("full-20251019T030000Z", "incremental-20251019T120000Z",
                "incremental-20251020T120000Z", "proof-daily-2025-10-20");
        assertThat(plan.upTo()).isEqualTo(Instant.parse("2025-10-20T23:59:59.999999999Z"));
        assertThat(plan.full().backupId()).isEqualTo("full-20251019T030000Z");
        assertThat(plan.incrementals()).hasSize(2);
        assertThat(plan.proofDailies()).extracting(CatalogEntry::backupId).containsExactly("proof-daily-2025-10-20");
        assertThat(plan.proofHeadSeq()).isEqualTo(135L);
    }

    @Test
    void aDailyArchiveAddsNothingWhenIncrementalsAlreadyHoldItsProofs() throws Exception {
        List<CatalogEntry> c = new ArrayList<>(twoWeeks());
        c.removeIf(e -> e.backupId().equals("proof-daily-2025-10-20"));
        c.add(daily("2025-10-20", "2025-10-21T02:00:00Z", 125L)); // below incremental-20251020's 130
        RestorePlan plan = RestorePlanner.plan(c, "2025-10-20", NOW);
        assertThat(plan.backupIds()).doesNotContain("proof-daily-2025-10-20", "proof-daily-2025-10-19")
                .contains("incremental-20251020T120000Z");
    }

    @Test
    void anIncrementalBuiltOnADailyArchiveBringsThatDailyArchiveAlong() throws Exception {
        // the incremental after the daily of the 19th holds only what changed after that daily
        List<CatalogEntry> c = new ArrayList<>(twoWeeks());
        c.removeIf(e -> e.backupId().equals("incremental-20251020T120000Z"));
        c.add(incremental("20251020T120000Z", "proof-daily-2025-10-19", 130L));
        RestorePlan plan = RestorePlanner.plan(c, "2025-10-20", NOW);
        assertThat(plan.backupIds()).containsExactly("full-20251019T030000Z", "incremental-20251019T120000Z",
                "proof-daily-2025-10-19", "incremental-20251020T120000Z", "proof-daily-2025-10-20");
    }

    @Test
    void theDayOfAFullUsesThatFullAndNotTheOlderOne() throws Exception {
        RestorePlan plan = RestorePlanner.plan(twoWeeks(), "2025-10-26", NOW);
        assertThat(plan.backupIds()).containsExactly("full-20251026T030000Z", "incremental-20251026T090000Z",
                "incremental-20251026T180000Z", "proof-daily-2025-10-26");
    }

    @Test
    void aDailyArchiveOfADayBeforeTheFullIsNeverApplied() throws Exception {
        // proof-daily-2025-10-25 has head 200, below the full of the 26th; even with a higher head it is older
        List<CatalogEntry> c = new ArrayList<>(twoWeeks());
        c.removeIf(e -> e.backupId().equals("proof-daily-2025-10-25"));
        c.add(daily("2025-10-25", "2025-10-26T02:00:00Z", 999L));
        assertThat(RestorePlanner.plan(c, "2025-10-26", NOW).backupIds()).doesNotContain("proof-daily-2025-10-25");
    }

    @Test
    void theDayBeforeAFullUsesThePreviousWeek() throws Exception {
        RestorePlan plan = RestorePlanner.plan(twoWeeks(), "2025-10-25", NOW);
        assertThat(plan.full().backupId()).isEqualTo("full-20251019T030000Z");
        assertThat(plan.backupIds()).containsExactly("full-20251019T030000Z", "incremental-20251019T120000Z",
                "incremental-20251020T120000Z", "proof-daily-2025-10-20", "proof-daily-2025-10-25");
    }

    @Test
    void aDailyArchiveIsAppliedInCreatedAtOrderBetweenIncrementals() throws Exception {
        List<CatalogEntry> c = new ArrayList<>(twoWeeks());
        // a daily of the 19th with proofs up to 140, beyond the incrementals' 130: applied, in created_at order
        c.add(daily("2025-10-19", "2025-10-20T02:00:00Z", 140L));
        c.removeIf(e -> e.backupId().equals("proof-daily-2025-10-19") && e.proofHeadSeq() == 112L);
        RestorePlan plan = RestorePlanner.plan(c, "2025-10-20", NOW);
        assertThat(plan.backupIds()).containsExactly("full-20251019T030000Z", "incremental-20251019T120000Z",
                "proof-daily-2025-10-19", "incremental-20251020T120000Z", "proof-daily-2025-10-20");
    }

    @Test
    void latestIsEverythingUpToNow() throws Exception {
        RestorePlan plan = RestorePlanner.plan(twoWeeks(), "latest", NOW);
        // the daily of the 26th (head 230) adds nothing once the incremental of the 27th (head 235) is applied
        assertThat(plan.backupIds()).containsExactly("full-20251026T030000Z", "incremental-20251026T090000Z",
                "incremental-20251026T180000Z", "incremental-20251027T090000Z");
        assertThat(plan.upTo()).isEqualTo(NOW);
        assertThat(plan.proofHeadSeq()).isEqualTo(235L);
    }

    @Test
    void latestIgnoresArchivesStampedAfterNow() throws Exception {
        List<CatalogEntry> c = new ArrayList<>(twoWeeks());
        c.add(full("20251028T130000Z", 300)); // an hour after NOW: a clock skew, not a restore point
        c.add(incremental("20251028T140000Z", "full-20251028T130000Z", 310L));
        assertThat(RestorePlanner.plan(c, "latest", NOW).full().backupId()).isEqualTo("full-20251026T030000Z");
        assertThat(RestorePlanner.plan(c, "latest", Instant.parse("2025-10-28T13:00:00Z")).backupIds())
                .containsExactly("full-20251028T130000Z");
    }

    @Test
    void aDailyArchiveNotYetWrittenByNowIsNotPlanned() throws Exception {
        // restoring the 27th at noon on the 27th: the daily of the 27th does not exist yet
        List<CatalogEntry> c = new ArrayList<>(twoWeeks());
        c.add(daily("2025-10-27", "2025-10-28T02:00:00Z", 240L));
        Instant noon27 = Instant.parse("2025-10-27T12:00:00Z");
        assertThat(RestorePlanner.plan(c, "2025-10-27", noon27).backupIds()).doesNotContain("proof-daily-2025-10-27");
        assertThat(RestorePlanner.plan(c, "2025-10-27", NOW).backupIds()).endsWith("proof-daily-2025-10-27");
    }

    @Test
    void theCatalogOrderDoesNotMatter() throws Exception {
        List<CatalogEntry> shuffled = new ArrayList<>(twoWeeks());
        Collections.reverse(shuffled);
        assertThat(RestorePlanner.plan(shuffled, "2025-10-20", NOW).backupIds())
                .isEqualTo(RestorePlanner.plan(twoWeeks(), "2025-10-20", NOW).backupIds());
    }

    @Test
    void fullsAtTheSameSecondAreOrderedByBackupId() throws Exception {
        List<CatalogEntry> c = List.of(entry("full-b", "full", "full/b.tar.gz.enc", "2025-10-19T03:00:00Z", null, 1L),
                entry("full-a", "full", "full/a.tar.gz.enc", "2025-10-19T03:00:00Z", null, 1L));
        assertThat(RestorePlanner.plan(c, "2025-10-19", NOW).full().backupId()).isEqualTo("full-b");
    }

    @Test
    void aFullAtTheLastSecondOfTheDayCountsAndOneAtMidnightDoesNot() throws Exception {
        List<CatalogEntry> c = List.of(full("20251019T235959Z", 5), full("20251020T000000Z", 6));
        assertThat(RestorePlanner.plan(c, "2025-10-19", NOW).full().backupId()).isEqualTo("full-20251019T235959Z");
        assertThat(RestorePlanner.plan(c, "2025-10-20", NOW).full().backupId()).isEqualTo("full-20251020T000000Z");
    }

    @Test
    void aDateBeforeTheOldestFullSaysWhatExists() {
        assertThatThrownBy(() -> RestorePlanner.plan(twoWeeks(), "2025-10-01", NOW))
                .isInstanceOf(RestoreException.class)
                .hasMessage("no full backup at or before 2025-10-01; the oldest full is full-20251019T030000Z (2025-10-19)");
        assertThatThrownBy(() -> RestorePlanner.plan(twoWeeks(), "2025-10-18", NOW))
                .hasMessageStartingWith("no full backup at or before 2025-10-18;");
    }

    @Test
    void aCatalogWithoutAFullSaysSo() {
        List<CatalogEntry> noFull = twoWeeks().stream().filter(e -> !e.type().equals("full")).toList();
        assertThatThrownBy(() -> RestorePlanner.plan(noFull, "latest", NOW))
                .isInstanceOf(RestoreException.class).hasMessage("the catalog has no full backup");
        assertThatThrownBy(() -> RestorePlanner.plan(List.of(), "2025-10-20", NOW))
                .isInstanceOf(RestoreException.class).hasMessage("the catalog has no full backup");
    }

    @Test
    void latestWithOnlyFutureFullsNamesNow() {
        List<CatalogEntry> c = List.of(full("20251029T030000Z", 1));
        assertThatThrownBy(() -> RestorePlanner.plan(c, "latest", NOW))
                .hasMessage("no full backup at or before now (2025-10-28T12:00:00Z); the oldest full is full-20251029T030000Z (2025-10-29)");
    }

    @Test
    void badDatesAreRefusedNamingTheValue() {
        for (String bad : List.of("2025-13-01", "2025-02-30", "20251020", "2025-10-20T00:00:00Z", "yesterday", "", " 2025-10-20",
                "+2025-10-20", "Latest")) {
            assertThatThrownBy(() -> RestorePlanner.plan(twoWeeks(), bad, NOW)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("restore date '" + bad + "' is not YYYY-MM-DD (a UTC day) or 'latest'");
        }
        assertThatThrownBy(() -> RestorePlanner.plan(twoWeeks(), null, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'null'");
    }

    @Test
    void aFutureDateIsRefused() {
        assertThatThrownBy(() -> RestorePlanner.plan(twoWeeks(), "2025-10-29", NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("restore date '2025-10-29' is in the future (today is 2025-10-28, UTC)");
    }

    @Test
    void todayIsAllowedAndEqualsLatestUpToNow() throws Exception {
        assertThat(RestorePlanner.plan(twoWeeks(), "2025-10-28", NOW).backupIds())
                .isEqualTo(RestorePlanner.plan(twoWeeks(), "latest", NOW).backupIds());
    }

    @Test
    void alertArchivesAreNeverPartOfARestore() throws Exception {
        assertThat(RestorePlanner.plan(twoWeeks(), "2025-10-20", NOW).archives())
                .noneMatch(e -> e.type().equals("alerts"));
    }

    @Test
    void aFullWithoutProofsStillTakesDailiesThatHaveThem() throws Exception {
        List<CatalogEntry> c = List.of(entry("full-x", "full", "full/x.tar.gz.enc", "2025-10-19T03:00:00Z", null, null),
                daily("2025-10-19", "2025-10-20T02:00:00Z", 0L));
        assertThat(RestorePlanner.plan(c, "2025-10-19", NOW).backupIds()).containsExactly("full-x", "proof-daily-2025-10-19");
    }
}
