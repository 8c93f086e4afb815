package io.qontrek.factorydr.governance;

import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.camel.SettingsCheck;
import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.recovery.SignedDrillProof;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each gate against a real catalog and real files: a runtime where everything is in order passes,
 * and each test breaks one condition and sees exactly its gate fail, saying why. The gates' tables,
 * both ways, are {@link GateTablesTest}.
 */
class GatesTest {
    static final Instant NOW = Instant.parse("2025-10-26T12:00:00Z");
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final byte[] SECRET = "factory-signing 91ab".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @TempDir
    Path root;
    RuntimeLayout layout;
    Catalog catalog;
    GovernancePolicy policy = new GovernancePolicy(Duration.ofMinutes(60), Duration.ofDays(7), Duration.ofHours(26),
            Duration.ofDays(92), Duration.ofMinutes(15), true, true);

    @BeforeEach
    void inOrder() throws Exception {
        layout = RuntimeLayout.under(root);
        catalog = new Catalog(layout.catalogDb());
        for (Path d : List.of(layout.proofDir(), layout.configDir(), layout.dataDir(), layout.logsDir())) Files.createDirectories(d);
        for (int seq = 0; seq < 3; seq++) Files.writeString(layout.proofDir().resolve(String.format("proof-%012d.json", seq)), "{}");
        archive("full", NOW.minus(Duration.ofDays(2)), true);
        archive("incremental", NOW.minus(Duration.ofMinutes(20)), true);
        run("verify-daily", NOW.minus(Duration.ofHours(3)), "ok", null);
        run("verify-proofs", NOW.minus(Duration.ofHours(3)), "ok", null);
        check("verify-proofs", NOW.minus(Duration.ofHours(3)), true, null, null, null);
        SignedDrillProof.passed(layout, Instant.parse("2025-09-01T10:00:00Z"), SECRET);
    }

    private CatalogEntry archive(String type, Instant at, boolean offsite) throws Exception {
        return archive(type, at, offsite, "incremental".equals(type) ? List.of("federation_ledger", "nonce_store", "receipts") : List.of());
    }

    /** An archive whose manifest names these databases (an incremental's deltas), catalogued and on disk. */
    private CatalogEntry archive(String type, Instant at, boolean offsite, List<String> databases) throws Exception {
        String stamp = STAMP.format(at);
        String name = type + "/" + stamp + ".tar.gz.enc";
        CatalogEntry e = new CatalogEntry(type + "-" + stamp, type, name, at.toString(), null, 100, "0".repeat(64), 1, 10,
                2L, "a".repeat(64), null, null, at.toString(), offsite ? at.plusSeconds(30).toString() : null);
        var head = new io.qontrek.factorydr.archive.Manifest.TableHead(10, 10, "d".repeat(64));
        catalog.record(e, List.of(), databases.stream().map(n -> new io.qontrek.factorydr.archive.Manifest.Database(n,
                io.qontrek.factorydr.archive.Manifest.Database.Form.DELTA, "data/" + n + ".delta.db", 0, head, head, null)).toList());
        Files.createDirectories(layout.archiveDir().resolve(type));
        Files.writeString(layout.archiveDir().resolve(name), "archive");
        return e;
    }

    private void run(String flow, Instant at, String outcome, String detail) {
        catalog.recordRun(flow, at.minusSeconds(5).toString(), at.toString(), outcome, null, detail);
    }

    /** A proof chain verdict as verify-proofs or verify-daily records it, over seqs 0..2 (from/to null: the whole chain). */
    private void check(String flow, Instant at, boolean passed, String from, String to, String problem) {
        catalog.recordProofChainCheck(new Catalog.ProofChainCheck(flow, at.toString(), passed, from, to, 3, 0L, 2L, 2L,
                "c".repeat(64), passed ? "proof chain continuous: seq 0..2, 3 proofs" : problem));
    }

    private GovernanceReport evaluate() {
        return evaluate(NOW);
    }

    private GovernanceReport evaluate(Instant now) {
        return Gates.evaluate(layout, catalog, policy, SECRET, now);
    }

    private CheckResult gate(String name) {
        return evaluate().gate(name).orElseThrow();
    }

    /** Only the named gates fail. */
    private void onlyFailing(String... names) {
        GovernanceReport r = evaluate();
        assertThat(r.pass()).isEqualTo(names.length == 0);
        assertThat(r.gates().stream().filter(g -> !g.pass()).map(CheckResult::name)).as(r.toString()).containsExactlyInAnyOrder(names);
    }

    @Test
    void aRuntimeInOrderPassesEveryGate() {
        GovernanceReport r = evaluate();
        assertThat(r.gates()).extracting(CheckResult::name).containsExactly(Gates.RPO, Gates.FULL, Gates.VERIFICATION, Gates.OFFSITE,
                Gates.PROOF_CHAIN, Gates.PANIC, Gates.DRILL);
        onlyFailing();
        assertThat(gate(Gates.RPO).detail()).contains("incremental backup").contains("20 min ago");
        assertThat(gate(Gates.DRILL).detail()).contains("drill-20250901T100000Z.json");
    }

    @Test
    void theDrillGateJudgesTheLastDrillOfTheSameSecond_its2And10thNamesIncluded() throws Exception {
        Instant second = Instant.parse("2025-09-02T10:00:00Z");
        SignedDrillProof.passed(layout, second, SECRET);
        SignedDrillProof.failed(layout, second, DrillProof.MERKLE_CHAIN, SECRET);
        onlyFailing(Gates.DRILL);
        assertThat(gate(Gates.DRILL).detail()).contains("drill-20250902T100000Z-2.json");

        for (int n = 3; n <= 9; n++) SignedDrillProof.failed(layout, second, DrillProof.MERKLE_CHAIN, SECRET);
        SignedDrillProof.passed(layout, second, SECRET);
        onlyFailing();
        assertThat(gate(Gates.DRILL).detail()).contains("drill-20250902T100000Z-10.json");
    }

    @Test
    void rpoBreachedWhenTheNewestRecoveryPointIsOlderThanAnHour_anIncrementalWithNothingToDoCounts() {
        policy = new GovernancePolicy(Duration.ofMinutes(10), policy.fullMaxAge(), policy.verifyMaxAge(), policy.drillMaxAge(),
                policy.offsiteGrace(), true, true);
        onlyFailing(Gates.RPO);
        assertThat(gate(Gates.RPO).detail()).contains("older than the limit of 10 min");

        run("backup-incremental", NOW.minus(Duration.ofMinutes(5)), "nothing-to-do", null);
        onlyFailing();
        assertThat(gate(Gates.RPO).detail()).contains("nothing changed");

        run("backup-incremental", NOW.minus(Duration.ofMinutes(1)), "failed", "disk full");
        assertThat(gate(Gates.RPO).pass()).as("a later failure does not undo a recovery point").isTrue();
    }

    @Test
    void rpoIsJudgedOnTheOldestKindOfData_aProofOnlyIncrementalLeavesTheLedgerAtTheFull() throws Exception {
        // written before incrementals carried the databases: it holds proof files only
        archive("incremental", NOW.minus(Duration.ofMinutes(5)), true, List.of());
        policy = new GovernancePolicy(Duration.ofMinutes(10), policy.fullMaxAge(), policy.verifyMaxAge(), policy.drillMaxAge(),
                policy.offsiteGrace(), true, true);
        CheckResult rpo = gate(Gates.RPO);
        assertThat(rpo.pass()).as(rpo.detail()).isFalse();
        assertThat(rpo.detail()).contains("oldest of the newest recovery points: federation_ledger, incremental backup incremental/")
                .contains("older than the limit of 10 min").contains("by kind: proof 5 min, federation_ledger 20 min");
        // the same proof-only incremental, but the databases' newest point within the limit: passes
        archive("incremental", NOW.minus(Duration.ofMinutes(1)), true, List.of("federation_ledger", "nonce_store", "receipts"));
        assertThat(gate(Gates.RPO).pass()).as(gate(Gates.RPO).detail()).isTrue();
    }

    @Test
    void rpoFailsWhenOneDatabaseHasNoRecoveryPointWithinTheHour_andPassesWhenItHas() throws Exception {
        // the incremental of 20 min ago named every database; one 5 min ago names all but receipts
        archive("incremental", NOW.minus(Duration.ofMinutes(5)), true, List.of("federation_ledger", "nonce_store"));
        policy = new GovernancePolicy(Duration.ofMinutes(10), policy.fullMaxAge(), policy.verifyMaxAge(), policy.drillMaxAge(),
                policy.offsiteGrace(), true, true);
        CheckResult rpo = gate(Gates.RPO);
        assertThat(rpo.pass()).isFalse();
        assertThat(rpo.detail()).contains("receipts").contains("older than the limit of 10 min");
        archive("incremental", NOW.minus(Duration.ofMinutes(2)), true, List.of("receipts"));
        assertThat(gate(Gates.RPO).pass()).as(gate(Gates.RPO).detail()).isTrue();
    }

    @Test
    void aBackupWhoseArchiveIsGoneIsNoRecoveryPoint() throws Exception {
        Files.delete(layout.archiveDir().resolve(catalog.newest(java.util.Set.of("incremental")).orElseThrow().name()));
        onlyFailing(Gates.RPO);
        assertThat(gate(Gates.RPO).detail()).contains("is catalogued but its archive is missing");
    }

    @Test
    void aFullBackupOlderThanItsLimitFails_evenWithFreshIncrementals() {
        policy = new GovernancePolicy(policy.rpo(), Duration.ofDays(1), policy.verifyMaxAge(), policy.drillMaxAge(),
                policy.offsiteGrace(), true, true);
        onlyFailing(Gates.FULL);
        assertThat(gate(Gates.FULL).detail()).contains("newest full backup full/").contains("older than the limit");
    }

    @Test
    void noVerificationOrAStaleOneFails() throws Exception {
        Files.delete(layout.catalogDb());
        catalog = new Catalog(layout.catalogDb());
        archive("full", NOW.minus(Duration.ofMinutes(5)), true);
        onlyFailing(Gates.VERIFICATION, Gates.PROOF_CHAIN);
        run("verify-daily", NOW.minus(Duration.ofHours(30)), "ok", null);
        check("verify-daily", NOW.minus(Duration.ofHours(30)), true, null, null, null);
        onlyFailing(Gates.VERIFICATION, Gates.PROOF_CHAIN);
        assertThat(gate(Gates.PROOF_CHAIN).detail()).contains("older than the limit of 26 h");
    }

    @Test
    void offsiteFailsUntilCaughtUp_exceptForArchivesStillOnTheirWay() throws Exception {
        archive("proof-daily", NOW.minus(Duration.ofMinutes(5)), false);
        onlyFailing();
        assertThat(gate(Gates.OFFSITE).detail()).contains("except 1 younger than 15 min");
        CatalogEntry behind = archive("alerts", NOW.minus(Duration.ofHours(2)), false);
        onlyFailing(Gates.OFFSITE);
        assertThat(gate(Gates.OFFSITE).detail()).contains("1 archive(s) not offsite, oldest " + behind.name());
        catalog.markOffsite(behind.name(), NOW);
        onlyFailing();
    }

    @Test
    void offsiteDisabledFailsUnlessNotRequired() {
        policy = new GovernancePolicy(policy.rpo(), policy.fullMaxAge(), policy.verifyMaxAge(), policy.drillMaxAge(),
                policy.offsiteGrace(), false, true);
        onlyFailing(Gates.OFFSITE);
        assertThat(gate(Gates.OFFSITE).detail()).contains("factory.s3.enabled=false");
        policy = new GovernancePolicy(policy.rpo(), policy.fullMaxAge(), policy.verifyMaxAge(), policy.drillMaxAge(),
                policy.offsiteGrace(), false, false);
        onlyFailing();
    }

    @Test
    void theProofChainGateFailsWithoutARecordedCheck_andPassesOnceOneIsRecorded() throws Exception {
        // a catalog from before proof chain checks were recorded: verify-proofs ran, but no check is on record
        Files.delete(layout.catalogDb());
        catalog = new Catalog(layout.catalogDb());
        archive("full", NOW.minus(Duration.ofDays(2)), true);
        archive("incremental", NOW.minus(Duration.ofMinutes(20)), true);
        run("verify-daily", NOW.minus(Duration.ofHours(3)), "ok", null);
        onlyFailing(Gates.PROOF_CHAIN);
        assertThat(gate(Gates.PROOF_CHAIN).detail()).contains("no verification of the whole proof chain is recorded")
                .contains("factory-dr verify proofs");

        check("verify-daily", NOW.minus(Duration.ofHours(1)), true, null, null, null);
        onlyFailing();
        assertThat(gate(Gates.PROOF_CHAIN).detail()).startsWith("verify-daily verified the whole proof chain, seq 0..2")
                .contains("merkle_root " + "c".repeat(64)).contains("60 min ago");
    }

    @Test
    void aPassedCheckCountsUpToExactlyVerifyMaxAge() {
        Instant at = NOW.minus(Duration.ofHours(3));
        Instant limit = at.plus(policy.verifyMaxAge());
        // the verification gate ages with the same run, so only proof-chain and verification move together
        assertThat(evaluate(limit).gate(Gates.PROOF_CHAIN).orElseThrow().pass()).isTrue();
        CheckResult late = evaluate(limit.plusSeconds(1)).gate(Gates.PROOF_CHAIN).orElseThrow();
        assertThat(late.pass()).isFalse();
        assertThat(late.detail()).contains("verify-proofs verified the whole proof chain").contains("older than the limit of 26 h");
    }

    @Test
    void aCheckThatFoundABreakFailsTheGate_untilALaterCheckOfTheWholeChainPasses() {
        check("verify-daily", NOW.minus(Duration.ofMinutes(30)), false, null, null,
                "seq 2: prev_root does not match merkle_root of seq 1");
        run("verify-daily", NOW.minus(Duration.ofMinutes(30)), "failed", "seq 2: prev_root does not match merkle_root of seq 1");
        onlyFailing(Gates.PROOF_CHAIN, Gates.VERIFICATION);
        assertThat(gate(Gates.PROOF_CHAIN).detail()).startsWith("verify-daily found the whole proof chain broken at")
                .contains("prev_root does not match merkle_root of seq 1");

        check("verify-proofs", NOW.minus(Duration.ofMinutes(10)), true, null, null, null);
        run("verify-daily", NOW.minus(Duration.ofMinutes(10)), "ok", null);
        onlyFailing();
    }

    @Test
    void aCheckOfADateRangeCountsOnlyWhenItFindsABreak() throws Exception {
        // a passed range is no evidence for the rest of the chain: the gate still reads the older whole-chain check
        check("verify-proofs", NOW.minus(Duration.ofMinutes(5)), true, "2025-10-25", "2025-10-26", null);
        onlyFailing();
        assertThat(gate(Gates.PROOF_CHAIN).detail()).contains("the whole proof chain").contains("3 h 0 min ago");
        assertThat(Gates.proofChain(java.util.Optional.of(new Catalog.ProofChainCheck("verify-proofs", NOW.toString(), true,
                "2025-10-25", null, 3, 0L, 2L, 2L, "c".repeat(64), "ok")), java.util.Map.of(), policy, NOW))
                .as("given one, the gate itself refuses it too")
                .satisfies(g -> assertThat(g.pass()).isFalse())
                .satisfies(g -> assertThat(g.detail()).contains("verified only the proof chain (2025-10-25 to end)"));

        // ... and alone it is no verification of the chain at all
        Files.delete(layout.catalogDb());
        catalog = new Catalog(layout.catalogDb());
        archive("full", NOW.minus(Duration.ofDays(2)), true);
        archive("incremental", NOW.minus(Duration.ofMinutes(20)), true);
        run("verify-daily", NOW.minus(Duration.ofMinutes(5)), "ok", null);
        check("verify-proofs", NOW.minus(Duration.ofMinutes(5)), true, "2025-10-25", "2025-10-26", null);
        onlyFailing(Gates.PROOF_CHAIN);
        assertThat(gate(Gates.PROOF_CHAIN).detail()).contains("no verification of the whole proof chain");

        // a break found in a range is a break in the chain
        check("verify-proofs", NOW.minus(Duration.ofMinutes(1)), false, "2025-10-25", "2025-10-26", "seq 1 missing");
        onlyFailing(Gates.PROOF_CHAIN);
        assertThat(gate(Gates.PROOF_CHAIN).detail()).contains("found the proof chain (2025-10-25 to 2025-10-26) broken")
                .contains("seq 1 missing");
    }

    @Test
    void aVerifyProofsRunThatFailedWithoutAVerdictFailsTheGate_untilTheNextCheck() {
        // verify-proofs checks nothing but the chain: its failure is the chain's, even when it reached no verdict
        run("verify-proofs", NOW.minus(Duration.ofMinutes(20)), "failed", "listing /proof: Permission denied");
        onlyFailing(Gates.PROOF_CHAIN);
        assertThat(gate(Gates.PROOF_CHAIN).detail()).contains("verify-proofs failed at").contains("Permission denied");

        // a check in the same second as the failure does not outweigh it (fail closed); a later one does
        check("verify-daily", NOW.minus(Duration.ofMinutes(20)), true, null, null, null);
        assertThat(gate(Gates.PROOF_CHAIN).pass()).isFalse();
        check("verify-daily", NOW.minus(Duration.ofMinutes(20)).plusSeconds(1), true, null, null, null);
        assertThat(gate(Gates.PROOF_CHAIN).pass()).isTrue();

        // verify-daily checks more than the chain: its failure alone says nothing about it
        run("verify-daily", NOW.minus(Duration.ofMinutes(2)), "failed", "full/x.tar.gz.enc: sha256 mismatch");
        onlyFailing(Gates.VERIFICATION);
    }

    @Test
    void theGatesNeverLookAtTheProofDirectory() throws Exception {
        // a gap in the files: the gate answers from the record (a deleted proof shows at the next verification)
        Files.delete(layout.proofDir().resolve("proof-000000000001.json"));
        onlyFailing();
        // proof/ no longer a directory at all: listing it would fail, reading a file in it too
        try (var files = Files.list(layout.proofDir())) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(layout.proofDir());
        Files.writeString(layout.proofDir(), "not a directory");
        onlyFailing();
        assertThat(gate(Gates.PROOF_CHAIN).detail()).startsWith("verify-proofs verified the whole proof chain, seq 0..2");
    }

    @Test
    void thePanicFlagFailsItsGateWithTheReason() throws Exception {
        Files.writeString(layout.panicFlag(), "ledger hash chain broken at seq 812\nmore lines\n");
        onlyFailing(Gates.PANIC);
        assertThat(gate(Gates.PANIC).detail()).contains("ledger hash chain broken at seq 812").doesNotContain("more lines");
        Files.delete(layout.panicFlag());
        onlyFailing();
    }

    @Test
    void policyComesFromSettingsAndRefusesBadValues() {
        var s = io.qontrek.factorydr.config.Settings.load(null, java.util.Map.of("FACTORY_GOVERNANCE_RPO_MINUTES", "0"), java.util.Map.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SettingsCheck.validate(s))
                .hasMessageContaining("factory.governance.rpo-minutes='0'").hasMessageContaining("FACTORY_GOVERNANCE_RPO_MINUTES");
        var d = SettingsCheck.validate(io.qontrek.factorydr.config.Settings.load(null, java.util.Map.of(), java.util.Map.of()));
        GovernancePolicy p = GovernancePolicy.from(d);
        assertThat(p.rpo()).isEqualTo(Duration.ofHours(1));
        assertThat(p.fullMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(p.drillMaxAge()).isEqualTo(Duration.ofDays(92));
    }
}
