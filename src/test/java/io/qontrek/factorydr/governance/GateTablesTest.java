package io.qontrek.factorydr.governance;

import io.qontrek.factorydr.verify.CheckResult;
import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.recovery.SignedDrillProof;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table per gate, each row one condition and the verdict it gives, both ways: the pass rows and
 * the fail rows differ only in the condition they name. Every row starts from a runtime in order
 * (every gate passes), changes that one thing in a real SQLite catalog, real archive files or real
 * drill proofs signed by the drill's own code ({@link DrillProof#emit}), and checks its gate's
 * verdict and detail, and that no other gate moved but those the row names.
 */
class GateTablesTest {
    static final Instant NOW = Instant.parse("2025-10-26T12:00:00Z");
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final byte[] SECRET = "factory-signing 91ab".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path root;
    RuntimeLayout layout;
    Catalog catalog;
    GovernancePolicy policy;
    byte[] signingSecret;
    Instant now;
    CatalogEntry full;
    CatalogEntry incremental;
    Path drillProof;

    /** A runtime in order: a full 2 d old, an incremental 20 min old, both offsite; verify-daily passed 3 h ago
     *  and verified the whole proof chain; a signed proof of a passed drill 30 d old; no panic flag. */
    @BeforeEach
    void inOrder() throws Exception {
        layout = RuntimeLayout.under(root);
        catalog = new Catalog(layout.catalogDb());
        policy = new GovernancePolicy(Duration.ofMinutes(60), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92),
                Duration.ofMinutes(15), true, true);
        signingSecret = SECRET;
        now = NOW;
        for (Path d : List.of(layout.proofDir(), layout.configDir(), layout.dataDir(), layout.logsDir())) Files.createDirectories(d);
        full = archive("full", NOW.minus(Duration.ofDays(2)), true);
        incremental = archive("incremental", NOW.minus(Duration.ofMinutes(20)), true);
        run("verify-daily", NOW.minus(Duration.ofHours(3)), "ok", null);
        check("verify-daily", NOW.minus(Duration.ofHours(3)), true, null, null, null);
        drillProof = SignedDrillProof.passed(layout, NOW.minus(Duration.ofDays(30)), SECRET);
    }

    // ---- the changes rows make

    CatalogEntry archive(String type, Instant at, boolean offsite) throws Exception {
        return archive(type, at, offsite, "incremental".equals(type) ? List.of("federation_ledger", "nonce_store", "receipts") : List.of());
    }

    /** An archive whose manifest names these databases (an incremental's deltas; none: one written before they travelled). */
    CatalogEntry archive(String type, Instant at, boolean offsite, List<String> databases) throws Exception {
        String name = type + "/" + STAMP.format(at) + ".tar.gz.enc";
        CatalogEntry e = new CatalogEntry(type + "-" + STAMP.format(at), type, name, at.toString(), null, 100, "0".repeat(64), 1, 10,
                2L, "a".repeat(64), null, null, at.toString(), offsite ? at.plusSeconds(30).toString() : null);
        var head = new io.qontrek.factorydr.archive.Manifest.TableHead(10, 10, "d".repeat(64));
        catalog.record(e, List.of(), databases.stream().map(n -> new io.qontrek.factorydr.archive.Manifest.Database(n,
                io.qontrek.factorydr.archive.Manifest.Database.Form.DELTA, "data/" + n + ".delta.db", 0, head, head, null)).toList());
        Files.createDirectories(layout.archiveDir().resolve(type));
        Files.writeString(layout.archiveDir().resolve(name), "archive");
        return e;
    }

    void run(String flow, Instant finishedAt, String outcome, String detail) {
        catalog.recordRun(flow, finishedAt.minusSeconds(5).toString(), finishedAt.toString(), outcome, null, detail);
    }

    /** A proof chain verdict as recordProofChain writes it, over seqs 0..2; from/to null: the whole chain. */
    void check(String flow, Instant at, boolean passed, String from, String to, String problem) {
        catalog.recordProofChainCheck(new Catalog.ProofChainCheck(flow, at.toString(), passed, from, to, 3, 0L, 2L, 2L,
                "c".repeat(64), passed ? "proof chain continuous: seq 0..2, 3 proofs" : problem));
    }

    /** Straight to the catalog file, for what no flow ever does (forget a run, a catalog from before a table). */
    void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + layout.catalogDb()); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    void policy(Duration rpo, Duration fullMaxAge, Duration verifyMaxAge, Duration drillMaxAge, Duration grace, boolean s3,
            boolean required) {
        policy = new GovernancePolicy(rpo, fullMaxAge, verifyMaxAge, drillMaxAge, grace, s3, required);
    }

    Path proofsDir() {
        return layout.archiveDir().resolve("recovery-proofs");
    }

    // ---- the table machinery

    @FunctionalInterface
    interface Change {
        void apply(GateTablesTest t) throws Exception;
    }

    /** One row: the condition (in words), what it changes, the verdict, a part of the detail, and any other gate it moves. */
    record Row(String condition, Change change, boolean pass, String detail, Set<String> alsoFailing) {
        @Override
        public String toString() {
            return (pass ? "passes: " : "fails: ") + condition;
        }
    }

    static Row passes(String condition, String detail, Change change) {
        return new Row(condition, change, true, detail, Set.of());
    }

    static Row passes(String condition, String detail, Set<String> alsoFailing, Change change) {
        return new Row(condition, change, true, detail, alsoFailing);
    }

    static Row fails(String condition, String detail, Change change) {
        return new Row(condition, change, false, detail, Set.of());
    }

    static Row fails(String condition, String detail, Set<String> alsoFailing, Change change) {
        return new Row(condition, change, false, detail, alsoFailing);
    }

    void holds(String gate, Row row) throws Exception {
        row.change().apply(this);
        GovernanceReport report = Gates.evaluate(layout, catalog, policy, signingSecret, now);
        CheckResult g = report.gate(gate).orElseThrow();
        assertThat(g.pass()).as(g.detail()).isEqualTo(row.pass());
        assertThat(g.detail()).contains(row.detail());
        assertThat(report.gates().stream().filter(x -> !x.pass() && !x.name().equals(gate)).map(CheckResult::name))
                .as("other gates failing: " + report.gates()).containsExactlyInAnyOrderElementsOf(row.alsoFailing());
    }

    // ---- rpo

    static Stream<Row> rpo() {
        return Stream.of(
                passes("the newest incremental is 20 min old (limit 60 min)", "newest recovery points: proof, incremental backup", t -> {}),
                fails("limit 10 min, a proof-only incremental 5 min ago: the databases' newest point is 20 min old",
                        "oldest of the newest recovery points: federation_ledger", t -> {
                    t.policy(Duration.ofMinutes(10), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92),
                            Duration.ofMinutes(15), true, true);
                    t.archive("incremental", NOW.minus(Duration.ofMinutes(5)), true, List.of());
                }),
                passes("limit 10 min, a proof-only incremental 5 min ago and one naming every database 2 min ago",
                        "by kind: proof 2 min", t -> {
                    t.policy(Duration.ofMinutes(10), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92),
                            Duration.ofMinutes(15), true, true);
                    t.archive("incremental", NOW.minus(Duration.ofMinutes(5)), true, List.of());
                    t.archive("incremental", NOW.minus(Duration.ofMinutes(2)), true, List.of("federation_ledger", "nonce_store", "receipts"));
                }),
                fails("limit 10 min, the receipts' newest point is the 20 min old incremental", "receipts", t -> {
                    t.policy(Duration.ofMinutes(10), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92),
                            Duration.ofMinutes(15), true, true);
                    t.archive("incremental", NOW.minus(Duration.ofMinutes(3)), true, List.of("federation_ledger", "nonce_store"));
                }),
                passes("the newest backup is exactly 60 min old", "(limit 60 min)", t -> t.now = NOW.plus(Duration.ofMinutes(40))),
                fails("the newest backup is 60 min 1 s old", "older than the limit of 60 min",
                        t -> t.now = NOW.plus(Duration.ofMinutes(40)).plusSeconds(1)),
                fails("the newest backup is catalogued but its archive file is gone", "is catalogued but its archive is missing",
                        t -> Files.delete(t.layout.archiveDir().resolve(t.incremental.name()))),
                fails("limit 10 min, the newest backup 20 min old", "older than the limit of 10 min",
                        t -> t.policy(Duration.ofMinutes(10), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92),
                                Duration.ofMinutes(15), true, true)),
                passes("limit 10 min, and an incremental run found nothing changed 5 min ago", "nothing changed since", t -> {
                    t.policy(Duration.ofMinutes(10), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92), Duration.ofMinutes(15),
                            true, true);
                    t.run("backup-incremental", NOW.minus(Duration.ofMinutes(5)), "nothing-to-do", null);
                }),
                passes("limit 10 min, nothing changed 5 min ago, then an incremental run failed", "nothing changed since", t -> {
                    t.policy(Duration.ofMinutes(10), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92), Duration.ofMinutes(15),
                            true, true);
                    t.run("backup-incremental", NOW.minus(Duration.ofMinutes(5)), "nothing-to-do", null);
                    t.run("backup-incremental", NOW.minus(Duration.ofMinutes(1)), "failed", "disk full");
                }),
                fails("no full or incremental backup in the catalog", "no full or incremental backup", Set.of(Gates.FULL), t -> {
                    t.catalog.forget(t.full.backupId());
                    t.catalog.forget(t.incremental.backupId());
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void rpo(Row row) throws Exception {
        holds(Gates.RPO, row);
    }

    // ---- full-backup

    static Stream<Row> fullBackup() {
        return Stream.of(
                passes("the newest full is 2 d old (limit 7 d)", "newest full backup full/", t -> {}),
                passes("limit 2 d, the newest full exactly 2 d old", "(limit 2 d 0 h)", t -> t.policy(Duration.ofMinutes(60),
                        Duration.ofDays(2), Duration.ofHours(26), Duration.ofDays(92), Duration.ofMinutes(15), true, true)),
                fails("limit 2 d, the newest full 2 d 1 s old", "older than the limit of 2 d 0 h", t -> {
                    t.policy(Duration.ofMinutes(60), Duration.ofDays(2), Duration.ofHours(26), Duration.ofDays(92), Duration.ofMinutes(15),
                            true, true);
                    t.now = NOW.plusSeconds(1);
                }),
                fails("the newest full is catalogued but its archive file is gone", "is catalogued but its archive is missing",
                        t -> Files.delete(t.layout.archiveDir().resolve(t.full.name()))),
                fails("only incrementals in the catalog, no full", "no full backup in the catalog",
                        t -> t.catalog.forget(t.full.backupId())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void fullBackup(Row row) throws Exception {
        holds(Gates.FULL, row);
    }

    // ---- verification

    static Stream<Row> verification() {
        return Stream.of(
                passes("verify-daily passed 3 h ago (limit 26 h)", "verify-daily passed", t -> {}),
                fails("verify-daily failed 30 min ago", "verify-daily failed at",
                        t -> t.run("verify-daily", NOW.minus(Duration.ofMinutes(30)), "failed", "digests: 2025-10-25 does not chain")),
                fails("verify-daily failed, then a small verify archive passed", "verify-daily failed at", t -> {
                    t.run("verify-daily", NOW.minus(Duration.ofMinutes(30)), "failed", "digests: 2025-10-25 does not chain");
                    t.run("verify-archive", NOW.minus(Duration.ofMinutes(10)), "ok", null);
                }),
                fails("verify-daily failed, then verify-receipts and verify-drill passed", "verify-daily failed at", t -> {
                    t.run("verify-daily", NOW.minus(Duration.ofMinutes(30)), "failed", "digests: 2025-10-25 does not chain");
                    t.run("verify-receipts", NOW.minus(Duration.ofMinutes(10)), "ok", null);
                    t.run("verify-drill", NOW.minus(Duration.ofMinutes(9)), "ok", null);
                }),
                passes("verify-daily failed, then verify backup passed", "verify-backup passed", t -> {
                    t.run("verify-daily", NOW.minus(Duration.ofMinutes(30)), "failed", "digests: 2025-10-25 does not chain");
                    t.run("verify-backup", NOW.minus(Duration.ofMinutes(10)), "ok", null);
                }),
                fails("verify backup failed in the same second as verify-daily passed", "verify-backup failed at", t -> {
                    t.run("verify-daily", NOW.minus(Duration.ofMinutes(10)), "ok", null);
                    t.run("verify-backup", NOW.minus(Duration.ofMinutes(10)), "failed", "full/x.tar.gz.enc: sha256 mismatch");
                }),
                passes("a narrower verification (verify-receipts) failed after verify-daily passed: not a whole one", "verify-daily passed",
                        t -> t.run("verify-receipts", NOW.minus(Duration.ofMinutes(10)), "failed", "seq 7: receipt")),
                passes("limit 3 h, verify-daily exactly 3 h ago", "(limit 3 h 0 min)", t -> t.policy(Duration.ofMinutes(60),
                        Duration.ofDays(7), Duration.ofHours(3), Duration.ofDays(92), Duration.ofMinutes(15), true, true)),
                fails("limit 3 h less 1 s, verify-daily 3 h ago (the proof chain check ages with it)", "older than the limit",
                        Set.of(Gates.PROOF_CHAIN), t -> t.policy(Duration.ofMinutes(60), Duration.ofDays(7),
                                Duration.ofHours(3).minusSeconds(1), Duration.ofDays(92), Duration.ofMinutes(15), true, true)),
                fails("no whole verification ever ran, only verify-proofs and verify-archive", "no whole verification has run", t -> {
                    t.sql("DELETE FROM runs WHERE flow = 'verify-daily'");
                    t.run("verify-proofs", NOW.minus(Duration.ofMinutes(10)), "ok", null);
                    t.run("verify-archive", NOW.minus(Duration.ofMinutes(9)), "ok", null);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void verification(Row row) throws Exception {
        holds(Gates.VERIFICATION, row);
    }

    // ---- offsite

    static Stream<Row> offsite() {
        return Stream.of(
                passes("every archive is offsite", "every archive is offsite", t -> {}),
                passes("an archive 14 min 59 s old is not offsite yet (grace 15 min)", "except 1 younger than 15 min",
                        t -> t.archive("proof-daily", NOW.minus(Duration.ofMinutes(15)).plusSeconds(1), false)),
                fails("an archive exactly 15 min old is not offsite", "1 archive(s) not offsite, oldest proof-daily/",
                        t -> t.archive("proof-daily", NOW.minus(Duration.ofMinutes(15)), false)),
                fails("an alerts archive 2 h old is not offsite", "1 archive(s) not offsite, oldest alerts/",
                        t -> t.archive("alerts", NOW.minus(Duration.ofHours(2)), false)),
                passes("the archive that was not offsite has been copied", "every archive is offsite", t -> {
                    CatalogEntry behind = t.archive("alerts", NOW.minus(Duration.ofHours(2)), false);
                    t.catalog.markOffsite(behind.name(), NOW);
                }),
                fails("offsite copies disabled (factory.s3.enabled=false) and required", "factory.s3.enabled=false",
                        t -> t.policy(Duration.ofMinutes(60), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92),
                                Duration.ofMinutes(15), false, true)),
                passes("offsite copies disabled and not required", "offsite-required=false",
                        t -> t.policy(Duration.ofMinutes(60), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92),
                                Duration.ofMinutes(15), false, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void offsite(Row row) throws Exception {
        holds(Gates.OFFSITE, row);
    }

    // ---- proof-chain

    static Stream<Row> proofChain() {
        return Stream.of(
                passes("verify-daily verified the whole chain 3 h ago", "verify-daily verified the whole proof chain, seq 0..2", t -> {}),
                fails("verify-daily found the whole chain broken", "verify-daily found the whole proof chain broken",
                        t -> t.check("verify-daily", NOW.minus(Duration.ofMinutes(30)), false, null, null, "seq 2: prev_root differs")),
                passes("verify-daily found the chain broken, then verified the whole chain", "verify-daily verified the whole", t -> {
                    t.check("verify-daily", NOW.minus(Duration.ofMinutes(30)), false, null, null, "seq 2: prev_root differs");
                    t.check("verify-daily", NOW.minus(Duration.ofMinutes(10)), true, null, null, null);
                }),
                passes("verify-proofs verified the whole chain after verify-daily", "verify-proofs verified the whole proof chain",
                        t -> t.check("verify-proofs", NOW.minus(Duration.ofMinutes(10)), true, null, null, null)),
                fails("verify-proofs found a break in a date range", "found the proof chain (2025-10-25 to 2025-10-26) broken",
                        t -> t.check("verify-proofs", NOW.minus(Duration.ofMinutes(5)), false, "2025-10-25", "2025-10-26", "seq 1 missing")),
                passes("a passed check of a date range after the whole-chain check: the whole one still counts", "3 h 0 min ago",
                        t -> t.check("verify-proofs", NOW.minus(Duration.ofMinutes(5)), true, "2025-10-25", "2025-10-26", null)),
                fails("only a passed check of a date range is recorded", "no verification of the whole proof chain", t -> {
                    t.sql("DELETE FROM proof_chain_checks");
                    t.check("verify-proofs", NOW.minus(Duration.ofMinutes(5)), true, "2025-10-25", "2025-10-26", null);
                }),
                fails("a catalog from before checks were recorded", "no verification of the whole proof chain",
                        t -> t.sql("DROP TABLE proof_chain_checks")),
                fails("verify-proofs failed without a verdict after the check", "verify-proofs failed at",
                        t -> t.run("verify-proofs", NOW.minus(Duration.ofMinutes(20)), "failed", "listing /proof: Permission denied")),
                fails("verify-proofs failed without a verdict in the same second as the check", "verify-proofs failed at",
                        t -> t.run("verify-proofs", NOW.minus(Duration.ofHours(3)), "failed", "listing /proof: Permission denied")),
                passes("verify-proofs failed without a verdict, then verify-daily verified the whole chain", "verify-daily verified", t -> {
                    t.run("verify-proofs", NOW.minus(Duration.ofMinutes(20)), "failed", "listing /proof: Permission denied");
                    t.check("verify-daily", NOW.minus(Duration.ofMinutes(20)).plusSeconds(1), true, null, null, null);
                }),
                passes("verify-daily failed on something else than the chain", "verify-daily verified the whole", Set.of(Gates.VERIFICATION),
                        t -> t.run("verify-daily", NOW.minus(Duration.ofMinutes(2)), "failed", "full/x.tar.gz.enc: sha256 mismatch")),
                fails("limit 3 h less 1 s, the check 3 h old (the verification gate ages with it)", "older than the limit of 2 h 59 min",
                        Set.of(Gates.VERIFICATION), t -> t.policy(Duration.ofMinutes(60), Duration.ofDays(7),
                                Duration.ofHours(3).minusSeconds(1), Duration.ofDays(92), Duration.ofMinutes(15), true, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void proofChain(Row row) throws Exception {
        holds(Gates.PROOF_CHAIN, row);
    }

    // ---- panic

    static Stream<Row> panic() {
        return Stream.of(
                passes("no data/ATLAS_PANIC", "no panic flag", t -> {}),
                fails("data/ATLAS_PANIC holds a reason", "ledger hash chain broken at seq 812",
                        t -> Files.writeString(t.layout.panicFlag(), "ledger hash chain broken at seq 812\nmore lines\n")),
                fails("data/ATLAS_PANIC is empty", "no reason given", t -> Files.writeString(t.layout.panicFlag(), "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void panic(Row row) throws Exception {
        holds(Gates.PANIC, row);
        // the detail never carries more than the reason's first line
        assertThat(Gates.evaluate(layout, catalog, policy, signingSecret, now).gate(Gates.PANIC).orElseThrow().detail())
                .doesNotContain("more lines");
    }

    // ---- drill

    static Stream<Row> drill() {
        String forged = "drill-x.json";
        return Stream.of(
                passes("a signed proof of a passed drill 30 d old (limit 92 d)", "drill-20250926T120000Z.json, drill drill-", t -> {}),
                passes("the signed passed drill is exactly 92 d old", "(limit 92 d 0 h)", t -> {
                    Files.delete(t.drillProof);
                    SignedDrillProof.passed(t.layout, NOW.minus(Duration.ofDays(92)), SECRET);
                }),
                fails("the signed passed drill is 92 d 1 s old", "older than the limit of 92 d 0 h", t -> {
                    Files.delete(t.drillProof);
                    SignedDrillProof.passed(t.layout, NOW.minus(Duration.ofDays(92)).minusSeconds(1), SECRET);
                }),
                fails("no drill proof at all", "no signed drill proof in", t -> Files.delete(t.drillProof)),
                fails("the newest signed proof records a failed drill", "FAILED: backup-restored: staged backup-restored did not hold",
                        t -> SignedDrillProof.failed(t.layout, NOW.minus(Duration.ofDays(1)), DrillProof.BACKUP_RESTORED, SECRET)),
                passes("a signed failed drill, then a signed passed one", "passed at " + NOW.minus(Duration.ofHours(1)), t -> {
                    SignedDrillProof.failed(t.layout, NOW.minus(Duration.ofDays(1)), DrillProof.GOVERNANCE, SECRET);
                    SignedDrillProof.passed(t.layout, NOW.minus(Duration.ofHours(1)), SECRET);
                }),
                fails("a signed failed drill, and a newer forged drill-x.json holding {}", "ignored 1 file that is not a signed drill "
                        + "proof: drill-x.json (unsigned)", t -> {
                    SignedDrillProof.failed(t.layout, NOW.minus(Duration.ofDays(1)), DrillProof.BACKUP_RESTORED, SECRET);
                    Files.writeString(t.proofsDir().resolve(forged), "{}");
                }),
                passes("a forged drill-x.json beside the signed passed drill is ignored", "ignored 1 file that is not a signed drill proof",
                        t -> Files.writeString(t.proofsDir().resolve(forged), "{}")),
                fails("the only passed drill is an unsigned file in the old format", "no signed drill proof in", t -> {
                    Files.delete(t.drillProof);
                    Files.writeString(t.proofsDir().resolve("drill-20251020.json"),
                            "{\"schema\":\"factory.drill.v1\",\"created_at\":\"2025-10-20T10:00:00Z\",\"passed\":true}");
                }),
                fails("the only passed drill proof is signed with another key", "signature does not verify", t -> {
                    Files.delete(t.drillProof);
                    SignedDrillProof.passed(t.layout, NOW.minus(Duration.ofDays(1)), "another key".getBytes(StandardCharsets.UTF_8));
                }),
                fails("a failed drill's proof edited to say pass, its signature kept", "ignored 1 file", t -> {
                    Path p = SignedDrillProof.failed(t.layout, NOW.minus(Duration.ofDays(1)), DrillProof.BACKUP_RESTORED, SECRET);
                    Files.writeString(p, Files.readString(p).replace("\"pass\" : false", "\"pass\" : true"));
                    Files.delete(t.drillProof);
                }),
                fails("a file that is not JSON named like a drill proof, and no signed proof", "drill-x.json (not a JSON object)", t -> {
                    Files.delete(t.drillProof);
                    Files.writeString(t.proofsDir().resolve(forged), "not json");
                }),
                fails("more forged files newer than the signed proof than the gate reads", "are not signed drill proofs", t -> {
                    for (int i = 0; i < Gates.DRILL_PROOF_READS; i++) Files.writeString(t.proofsDir().resolve("drill-z" + i + ".json"), "{}");
                }),
                fails("a drill-quarterly run failed after the signed passed drill", "drill-quarterly failed at",
                        t -> t.run("drill-quarterly", NOW.minus(Duration.ofDays(2)), "failed", "drillPrepare: --staging is not empty")),
                fails("a drill-quarterly run failed in the same second as the signed passed drill", "drill-quarterly failed at",
                        t -> t.run("drill-quarterly", NOW.minus(Duration.ofDays(30)), "failed", "drillCleanUp: disk full")),
                passes("a drill-quarterly run failed before the signed passed drill", "drill drill-",
                        t -> t.run("drill-quarterly", NOW.minus(Duration.ofDays(31)), "failed", "outcome backup-restored failed")),
                fails("a drill-quarterly run says ok, but no signed proof exists", "no signed drill proof in", t -> {
                    Files.delete(t.drillProof);
                    t.run("drill-quarterly", NOW.minus(Duration.ofDays(2)), "ok", null);
                }),
                fails("FACTORY_SIGNING_SECRET is not set, so no proof can be verified", "FACTORY_SIGNING_SECRET is not set",
                        t -> t.signingSecret = null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void drill(Row row) throws Exception {
        holds(Gates.DRILL, row);
    }
}
