package io.qontrek.factorydr.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.backup.DatabaseDelta;
import io.qontrek.factorydr.backup.SqliteSnapshot;
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

/** Applying an incremental's deltas to the staged copies: only onto exactly their base, and for the ledger only when the chain continues. */
class DeltaReplayTest {
    @TempDir Path tmp;
    Path live;
    Path staged;

    @BeforeEach
    void runtime() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(10).days(1).ledgerRows(40).logMb(0)
                .end(Instant.now().minusSeconds(60)).build(), null);
        live = root.resolve("data");
        staged = Files.createDirectories(tmp.resolve("staging/data"));
        // what the full restored: a snapshot of the ledger as it was
        SqliteSnapshot.take(live.resolve("federation_ledger.db"), staged.resolve("federation_ledger.db"), 10);
    }

    /** The delta an incremental would take now on top of the staged copy, staged beside it; and its manifest. */
    private Manifest incremental(String name) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work-" + name));
        Manifest.TableHead base = DatabaseDelta.head(staged.resolve("federation_ledger.db"), RuntimeDatabase.FEDERATION_LEDGER);
        DatabaseDelta.Taken t = DatabaseDelta.take(RuntimeDatabase.FEDERATION_LEDGER, live.resolve("federation_ledger.db"), base,
                null, work, 10);
        Files.copy(t.file(), staged.resolve("federation_ledger.delta.db"));
        return Manifest.unsealed(name, Manifest.Type.INCREMENTAL, Instant.now(), "full-x", List.of(), null, null, List.of(), List.of())
                .withDatabases(List.of(t.database()));
    }

    private long stagedRows() throws Exception {
        return FederationWrites.count(staged.resolve("federation_ledger.db"), "SELECT count(*) FROM ledger");
    }

    @Test
    void aDeltaOnItsBaseIsAppliedAndItsFileGoes() throws Exception {
        FederationWrites.appendBatches(live, 25, "a");
        Manifest m = incremental("incremental-1");
        List<String> report = DeltaReplay.apply(staged, m, "incremental/1.tar.gz.enc");
        assertThat(report).containsExactly("federation_ledger: 25 rows added by incremental/1.tar.gz.enc, the chain continuing to seq 65");
        assertThat(stagedRows()).isEqualTo(65);
        assertThat(Files.exists(staged.resolve("federation_ledger.delta.db"))).isFalse();
    }

    @Test
    void aDeltaWhoseEntriesDoNotContinueTheChainIsRefusedAndTheCopyStaysAsItWas() throws Exception {
        FederationWrites.appendBatches(live, 5, "a");
        Manifest m = incremental("incremental-1");
        FederationWrites.execute(staged, "federation_ledger.delta.db", "UPDATE ledger SET prev_hash = '" + "cd".repeat(32) + "' WHERE seq = 41");
        assertThatThrownBy(() -> DeltaReplay.apply(staged, m, "incremental/1.tar.gz.enc"))
                .isInstanceOf(RestoreException.class)
                .hasMessage("incremental/1.tar.gz.enc: its federation_ledger delta does not continue the restored chain: ledger seq 41 "
                        + "does not continue the chain: its prev_hash is not the entry_hash of seq 40; refused");
        assertThat(stagedRows()).isEqualTo(40);
    }

    @Test
    void aDeltaWhoseBaseIsNotTheStagedCopyIsRefused() throws Exception {
        FederationWrites.appendBatches(live, 5, "a");
        Manifest first = incremental("incremental-1");
        DeltaReplay.apply(staged, first, "incremental/1.tar.gz.enc");
        FederationWrites.appendBatches(live, 5, "b");
        Manifest second = incremental("incremental-2");
        // the first incremental is lost: the second's delta lands on the full's copy
        Files.delete(staged.resolve("federation_ledger.db"));
        SqliteSnapshot.take(tmp.resolve("runtime/data/federation_ledger.db"), tmp.resolve("now.db"), 10);
        FederationWrites.execute(tmp.resolve("now.db").getParent(), "now.db", "DELETE FROM ledger WHERE seq > 40");
        Files.move(tmp.resolve("now.db"), staged.resolve("federation_ledger.db"));
        assertThatThrownBy(() -> DeltaReplay.apply(staged, second, "incremental/2.tar.gz.enc"))
                .isInstanceOf(RestoreException.class)
                .hasMessage("incremental/2.tar.gz.enc: its federation_ledger delta builds on 45 rows, but the archives before it "
                        + "restore 40 rows: an archive between them is missing; refused");
        assertThat(stagedRows()).isEqualTo(40);
    }

    @Test
    void aDeltaWithoutACopyToApplyItToIsRefused() throws Exception {
        FederationWrites.appendBatches(live, 5, "a");
        Manifest m = incremental("incremental-1");
        Files.delete(staged.resolve("federation_ledger.db"));
        assertThatThrownBy(() -> DeltaReplay.apply(staged, m, "incremental/1.tar.gz.enc"))
                .isInstanceOf(RestoreException.class)
                .hasMessageContaining("holds no federation_ledger.db to apply them to (restore with --date");
    }
}
