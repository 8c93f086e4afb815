package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.FederationWrites;
import io.qontrek.factorydr.runtime.SampleRuntime;
import io.qontrek.factorydr.verify.Rebuild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13's recovery points: every incremental carries what the databases gained since its base,
 * so losing the databases loses at most what came after the newest incremental, never the week
 * since the full; and a delta that does not continue what the archives before it restore is refused.
 */
class DatabaseIncrementalEndToEndTest {
    @TempDir Path tmp;
    Path root;
    Path data;
    Map<String, String> env;

    @BeforeEach
    void runtimeWithAFull() throws Exception {
        root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(60).days(2).ledgerRows(400).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(3600)).build(), null);
        data = root.resolve("data");
        env = Cli.env(tmp);
        Cli.Result full = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(full.exit()).as(full.toString()).isZero();
    }

    private Cli.Result incremental() throws Exception {
        Thread.sleep(1100); // archive names have one-second resolution
        Cli.Result r = Cli.run(env, "backup", "incremental", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private List<Path> incrementals() throws Exception {
        try (Stream<Path> s = Files.list(root.resolve("archive/incremental"))) {
            return s.filter(p -> p.toString().endsWith(".enc")).sorted().toList();
        }
    }

    private long rows(String db, String table) throws Exception {
        return FederationWrites.count(data.resolve(db), "SELECT count(*) FROM " + table);
    }

    @Test
    void ledgerNoncesOrReceiptsAloneMakeAnIncremental() throws Exception {
        FederationWrites.appendBatches(data, 300, "new");
        Cli.Result ledger = incremental();
        assertThat(ledger.out()).contains("federation_ledger: 300 rows added (data/federation_ledger.delta.db)")
                .contains("nonce_store: 300 rows added").contains("receipts: 0 rows added");
        Path archive = incrementals().get(0);
        JsonNode manifest = new ObjectMapper().readTree(Path.of(archive + ".manifest.json").toFile());
        assertThat(manifest.at("/ledger_head/seq").asLong()).isEqualTo(700);
        assertThat(manifest.at("/databases/0/base/rowid").asLong()).isEqualTo(400);
        assertThat(manifest.at("/databases/0/head/rowid").asLong()).isEqualTo(700);
        Cli.Result listing = Cli.sh(tmp, Map.of("K", Cli.ARCHIVE_KEY),
                "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '" + archive + "' | tar -tzf -");
        assertThat(listing.out().lines().toList()).containsExactly("data/federation_ledger.delta.db",
                "data/nonce_store.delta.db", "data/receipts.delta.db", "manifest.json");

        FederationWrites.addReceipt(data, "p-receipt-only", 999);
        assertThat(incremental().out()).contains("receipts: 1 rows added").contains("federation_ledger: 0 rows added");
        FederationWrites.execute(data, "nonce_store.db", "INSERT INTO nonces VALUES ('a-nonce-alone', 'peer-x', '2026-12-01T00:00:00Z')");
        assertThat(incremental().out()).contains("nonce_store: 1 rows added");
        assertThat(incrementals()).hasSize(3);

        assertThat(incremental().out()).contains("neither the proof files nor the databases changed since incremental-");
        assertThat(incrementals()).hasSize(3);
    }

    @Test
    void afterLosingTheDatabasesRestoreLatestBringsThemBackToTheNewestIncremental() throws Exception {
        FederationWrites.appendBatches(data, 300, "one");
        incremental();
        FederationWrites.appendBatches(data, 120, "two");
        incremental();
        String ledgerBefore = Cli.sh(tmp, Map.of(), "sqlite3 '" + data.resolve("federation_ledger.db") + "' 'SELECT * FROM ledger ORDER BY seq'").out();
        long nonces = rows("nonce_store.db", "nonces");
        long receipts = rows("receipts.db", "receipts");

        for (String db : List.of("federation_ledger.db", "nonce_store.db", "receipts.db")) {
            Files.delete(data.resolve(db));
            Files.deleteIfExists(data.resolve(db + "-wal"));
            Files.deleteIfExists(data.resolve(db + "-shm"));
        }
        Cli.Result restore = Cli.run(env, "restore", "--date=latest", "--verify", "--root=" + root);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("federation_ledger: 300 rows added by incremental/")
                .contains("federation_ledger: 120 rows added by incremental/").contains("the chain continuing to seq 820")
                .contains("verify federation: passed").contains("every ledger nonce is in the nonce store");
        assertThat(rows("federation_ledger.db", "ledger")).isEqualTo(820);
        assertThat(Cli.sh(tmp, Map.of(), "sqlite3 '" + data.resolve("federation_ledger.db") + "' 'SELECT * FROM ledger ORDER BY seq'").out())
                .isEqualTo(ledgerBefore);
        assertThat(rows("nonce_store.db", "nonces")).isEqualTo(nonces);
        assertThat(rows("receipts.db", "receipts")).isEqualTo(receipts);
        try (Stream<Path> s = Files.list(data)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("delta"));
        }
    }

    @Test
    void aRestoreThroughIncrementalsKeepsTheReceiptRowsTheyCarried_andRebuildsAnIndexThatMissesProofs() throws Exception {
        // the runtime writes a receipt row for each new proof: the incremental carries both
        RuntimeEdits.appendProofs(root, 5, Cli.TOWER_SECRET);
        Rebuild.receipts(RuntimeLayout.under(root));
        incremental();
        String receiptsLive = receiptRows(data);
        Path kept = tmp.resolve("restored");
        Cli.Result restore = Cli.run(env, "restore", "--date=latest", "--root=" + root, "--target=" + kept);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("receipts: 5 rows added by incremental/").doesNotContain("receipt index rebuilt");
        assertThat(receiptRows(kept.resolve("data"))).isEqualTo(receiptsLive);
        assertThat(Cli.run(env, "verify", "receipts", "--root=" + kept).exit()).isZero();

        // proofs the runtime wrote no row for: the index the archives bring misses them, and is rebuilt
        List<String> unindexed = RuntimeEdits.appendProofs(root, 2, Cli.TOWER_SECRET);
        incremental();
        Path rebuilt = tmp.resolve("restored-again");
        restore = Cli.run(env, "restore", "--date=latest", "--root=" + root, "--target=" + rebuilt);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("receipt index rebuilt from the proof files (", "no receipt row for " + unindexed.get(0));
        assertThat(Cli.run(env, "verify", "receipts", "--root=" + rebuilt).exit()).isZero();

        // the index made whole again, then a proof changed in place: a delta carries no row below the
        // index's head, so the index is rebuilt from the files rather than restored stale
        Rebuild.receipts(RuntimeLayout.under(root));
        Path changed = root.resolve("proof/proof-000000000010.json");
        Files.writeString(changed, Files.readString(changed).replace("\"seq\"", "\"seq\" "));
        incremental();
        Path changedRestore = tmp.resolve("restored-changed");
        restore = Cli.run(env, "restore", "--date=latest", "--root=" + root, "--target=" + changedRestore);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("receipt index rebuilt from the proof files (", "1 proof file changed since the full");
        assertThat(Files.readString(changedRestore.resolve("proof/proof-000000000010.json"))).isEqualTo(Files.readString(changed));
    }

    private String receiptRows(Path dataDir) throws Exception {
        return Cli.sh(tmp, Map.of(), "sqlite3 '" + dataDir.resolve("receipts.db") + "' 'SELECT * FROM receipts ORDER BY proof_id'").out();
    }

    @Test
    void aDeltaThatDoesNotContinueTheRestoredChainIsRefusedAndTheLiveRuntimeIsUnchanged() throws Exception {
        FederationWrites.appendBatches(data, 50, "one");
        incremental();
        FederationWrites.appendBatches(data, 50, "two");
        incremental();
        // the first incremental is lost (disk and catalog): the second's ledger delta starts at seq 451
        Path first = incrementals().get(0);
        for (String suffix : List.of("", ".sha256", ".manifest.json")) Files.delete(Path.of(first + suffix));
        FederationWrites.execute(root.resolve("archive"), "catalog.db",
                "DELETE FROM archives WHERE name = 'incremental/" + first.getFileName() + "'");
        String before = RuntimeHash.of(root, "proof", "config", "data");

        // the gate fails too, before anyone needs the restore: each archive is whole, but they do not chain
        Cli.Result verify = Cli.run(env, "verify", "backup", "--root=" + root);
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.out() + verify.err()).as(verify.toString()).contains("incremental/" + incrementals().get(0).getFileName()
                + ": its federation_ledger delta builds on 450 rows, but the archives before it leave 400 rows");

        Cli.Result restore = Cli.run(env, "restore", "--date=latest", "--root=" + root);
        assertThat(restore.exit()).isEqualTo(1);
        assertThat(restore.err()).contains("incremental/" + incrementals().get(0).getFileName()
                + ": its federation_ledger delta builds on 450 rows, but the archives before it restore 400 rows: "
                + "an archive between them is missing; refused");
        assertThat(RuntimeHash.of(root, "proof", "config", "data")).isEqualTo(before);
    }

    /** What a running full (or incremental) holds in another process: the backup chain's OS lock. */
    private java.nio.channels.FileChannel chainLockFile() throws Exception {
        Path lock = root.resolve("archive/.locks/backup-chain.lock");
        Files.createDirectories(lock.getParent());
        return java.nio.channels.FileChannel.open(lock, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
    }

    @Test
    void anIncrementalDoesNotStartWhileAFullRuns_itsDeltasMustBuildOnThatFull() throws Exception {
        try (var file = chainLockFile(); var held = file.lock()) {
            Thread.sleep(1100);
            // a process of its own: this JVM holds the lock, as the running full's would
            Cli.Result r = Cli.runAsOperator(env, "backup", "incremental", "--root=" + root);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("backup-incremental does not run while backup-full is running");
        }
        FederationWrites.appendBatches(data, 3, "after");
        assertThat(incremental().out()).contains("federation_ledger: 3 rows added");
    }

    @Test
    void aFullThatStartsDuringAnIncrementalWaitsForItToEnd_neverRunningBesideIt() throws Exception {
        Path log = tmp.resolve("factory-dr.log");
        long fulls;
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            fulls = s.filter(p -> p.toString().endsWith(".enc")).count();
        }
        Process full;
        try (var file = chainLockFile(); var held = file.lock()) {
            Thread.sleep(1100);
            full = Cli.start(env, "backup", "full", "--root=" + root);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
            while (!(Files.exists(log) && Files.readString(log).contains("backup-full waits for backup-incremental to end"))) {
                assertThat(full.isAlive()).as("the full ended instead of waiting").isTrue();
                assertThat(System.nanoTime()).as("the full never said it waits").isLessThan(deadline);
                Thread.sleep(50);
            }
            try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
                assertThat(s.filter(p -> p.toString().endsWith(".enc")).count()).as("nothing written while it waits").isEqualTo(fulls);
            }
            assertThat(full.isAlive()).isTrue();
        }
        Cli.Result r = Cli.finish(full, 300);
        assertThat(r.exit()).as(r.toString()).isZero();
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            assertThat(s.filter(p -> p.toString().endsWith(".enc")).count()).isEqualTo(fulls + 1);
        }
    }

    @Test
    void aLedgerRewrittenBelowItsHeadIsTakenWholeAndRestoresAsItIsNow() throws Exception {
        FederationWrites.execute(data, "federation_ledger.db", "DELETE FROM ledger WHERE seq > 350");
        Cli.Result inc = incremental();
        assertThat(inc.out()).contains("federation_ledger: taken whole (350 rows): ledger holds 350 rows up to rowid 400 where its base held 400");
        FederationWrites.appendBatches(data, 10, "after-cut");
        assertThat(incremental().out()).contains("federation_ledger: 10 rows added");

        Files.delete(data.resolve("federation_ledger.db"));
        Cli.Result restore = Cli.run(env, "restore", "--date=latest", "--verify", "--scope=ledger", "--root=" + root);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("federation_ledger: whole copy from incremental/");
        assertThat(rows("federation_ledger.db", "ledger")).isEqualTo(360);
    }
}
