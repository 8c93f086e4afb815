package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.runtime.FederationWrites;
import io.qontrek.factorydr.runtime.RuntimeDatabase;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database's increment: the rows above the base's head as a delta file that stock sqlite3 applies
 * to the base's copy, or the whole database when it changed below that head; each case both ways.
 */
class DatabaseDeltaTest {
    @TempDir Path tmp;
    Path data;
    Path work;

    @BeforeEach
    void runtime() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(20).days(1).ledgerRows(40).logMb(0)
                .end(Instant.now().minusSeconds(60)).build(), null);
        data = root.resolve("data");
        work = Files.createDirectories(tmp.resolve("work"));
    }

    /** The head as a full backup records it: from a snapshot taken now. */
    private Manifest.TableHead base(RuntimeDatabase db, String copyName) throws Exception {
        Path copy = SqliteSnapshot.take(db.live(layoutOf()), tmp.resolve(copyName), 10);
        return DatabaseDelta.head(copy, db);
    }

    private io.qontrek.factorydr.config.RuntimeLayout layoutOf() {
        return io.qontrek.factorydr.config.RuntimeLayout.under(data.getParent(), data.getParent().resolve("archive"));
    }

    private static String sqlite3(Path db, String sql) throws Exception {
        Process p = new ProcessBuilder("sqlite3", db.toString(), sql).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void appendedRowsTravelAsADeltaThatStockSqlite3AppliesToTheBaseCopy() throws Exception {
        Manifest.TableHead ledgerBase = base(RuntimeDatabase.FEDERATION_LEDGER, "ledger-base.db");
        Manifest.TableHead nonceBase = base(RuntimeDatabase.NONCE_STORE, "nonces-base.db");
        FederationWrites.appendBatches(data, 300, "after");

        DatabaseDelta.Taken ledger = DatabaseDelta.take(RuntimeDatabase.FEDERATION_LEDGER, data.resolve("federation_ledger.db"),
                ledgerBase, null, work, 10);
        DatabaseDelta.Taken nonces = DatabaseDelta.take(RuntimeDatabase.NONCE_STORE, data.resolve("nonce_store.db"),
                nonceBase, null, work, 10);

        assertThat(ledger.database().form()).isEqualTo(Manifest.Database.Form.DELTA);
        assertThat(ledger.database().path()).isEqualTo("data/federation_ledger.delta.db");
        assertThat(ledger.database().rows()).isEqualTo(300);
        assertThat(ledger.database().head().rowid()).isEqualTo(340);
        assertThat(ledger.ledgerHead().seq()).isEqualTo(340);
        assertThat(nonces.database().rows()).isEqualTo(300);
        assertThat(ledger.file().getFileName().toString()).isEqualTo("federation_ledger.delta.db");

        // the contract's own recipe, with the stock tool, on the base's copy
        sqlite3(tmp.resolve("ledger-base.db"), "ATTACH '" + ledger.file() + "' AS d; INSERT INTO ledger SELECT * FROM d.ledger;");
        sqlite3(tmp.resolve("nonces-base.db"), "ATTACH '" + nonces.file() + "' AS d; INSERT INTO nonces SELECT * FROM d.nonces;");
        assertThat(sqlite3(tmp.resolve("ledger-base.db"), "SELECT * FROM ledger ORDER BY seq"))
                .isEqualTo(sqlite3(data.resolve("federation_ledger.db"), "SELECT * FROM ledger ORDER BY seq"));
        assertThat(sqlite3(tmp.resolve("nonces-base.db"), "SELECT * FROM nonces ORDER BY nonce"))
                .isEqualTo(sqlite3(data.resolve("nonce_store.db"), "SELECT * FROM nonces ORDER BY nonce"));
        // and the copy reached the head the delta names
        assertThat(DatabaseDelta.head(tmp.resolve("ledger-base.db"), RuntimeDatabase.FEDERATION_LEDGER))
                .isEqualTo(ledger.database().head());
    }

    @Test
    void nothingAppendedIsAnEmptyDeltaAtTheSameHead() throws Exception {
        Manifest.TableHead base = base(RuntimeDatabase.RECEIPTS, "receipts-base.db");
        DatabaseDelta.Taken t = DatabaseDelta.take(RuntimeDatabase.RECEIPTS, data.resolve("receipts.db"), base, null, work, 10);
        assertThat(t.database().form()).isEqualTo(Manifest.Database.Form.DELTA);
        assertThat(t.database().rows()).isZero();
        assertThat(t.database().head()).isEqualTo(base);
    }

    @Test
    void aTableChangedBelowItsHeadIsTakenWholeAndSaysWhy() throws Exception {
        Manifest.TableHead base = base(RuntimeDatabase.FEDERATION_LEDGER, "ledger-base.db");
        // rows removed below the head: fewer rows up to its rowid
        FederationWrites.execute(data, "federation_ledger.db", "DELETE FROM ledger WHERE seq = 7");
        DatabaseDelta.Taken removed = DatabaseDelta.take(RuntimeDatabase.FEDERATION_LEDGER, data.resolve("federation_ledger.db"),
                base, null, work, 10);
        assertThat(removed.database().form()).isEqualTo(Manifest.Database.Form.WHOLE);
        assertThat(removed.database().path()).isEqualTo("data/federation_ledger.db");
        assertThat(removed.database().why()).contains("39 rows up to rowid 40 where its base held 40");
        assertThat(Files.exists(work.resolve("federation_ledger.delta.db"))).isFalse();
        assertThat(removed.file()).isEqualTo(work.resolve("federation_ledger.db"));
        assertThat(FederationWrites.count(removed.file(), "SELECT count(*) FROM ledger")).isEqualTo(39);
    }

    @Test
    void theHeadRowRewrittenIsTakenWhole() throws Exception {
        Manifest.TableHead base = base(RuntimeDatabase.NONCE_STORE, "nonces-base.db");
        FederationWrites.execute(data, "nonce_store.db", "UPDATE nonces SET peer = 'someone-else' WHERE rowid = " + base.rowid());
        DatabaseDelta.Taken t = DatabaseDelta.take(RuntimeDatabase.NONCE_STORE, data.resolve("nonce_store.db"), base, null, work, 10);
        assertThat(t.database().form()).isEqualTo(Manifest.Database.Form.WHOLE);
        assertThat(t.database().why()).contains("was rewritten");
    }

    @Test
    void newLedgerRowsThatBreakTheChainAreTakenWhole() throws Exception {
        Manifest.TableHead base = base(RuntimeDatabase.FEDERATION_LEDGER, "ledger-base.db");
        FederationWrites.appendBatches(data, 5, "after");
        FederationWrites.execute(data, "federation_ledger.db", "UPDATE ledger SET prev_hash = '" + "ab".repeat(32) + "' WHERE seq = 43");
        DatabaseDelta.Taken t = DatabaseDelta.take(RuntimeDatabase.FEDERATION_LEDGER, data.resolve("federation_ledger.db"),
                base, null, work, 10);
        assertThat(t.database().form()).isEqualTo(Manifest.Database.Form.WHOLE);
        assertThat(t.database().why()).contains("ledger seq 43 does not continue the chain");
    }

    @Test
    void noRecordedBaseIsTakenWholeSayingSo() throws Exception {
        DatabaseDelta.Taken t = DatabaseDelta.take(RuntimeDatabase.RECEIPTS, data.resolve("receipts.db"), null,
                "full-x records no head of receipts", work, 10);
        assertThat(t.database().form()).isEqualTo(Manifest.Database.Form.WHOLE);
        assertThat(t.database().why()).isEqualTo("full-x records no head of receipts");
        assertThat(t.database().rows()).isEqualTo(20);
        assertThat(List.of(t.database().head().rowid(), t.database().head().rows())).containsExactly(20L, 20L);
    }
}
