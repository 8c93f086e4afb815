package io.qontrek.factorydr.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.Manifest.Database;
import io.qontrek.factorydr.archive.Manifest.TableHead;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deltas of a restore set chain on the heads before them, or the set is named as one a restore refuses. */
class DeltaChainTest {
    static final TableHead AT_5000 = new TableHead(5000, 5000, "a".repeat(64));
    static final TableHead AT_5050 = new TableHead(5050, 5050, "b".repeat(64));
    static final TableHead AT_5100 = new TableHead(5100, 5100, "c".repeat(64));

    static Database whole(TableHead head) {
        return new Database("federation_ledger", Database.Form.WHOLE, "data/federation_ledger.db", head.rows(), null, head, null);
    }

    static Database delta(TableHead base, TableHead head) {
        return new Database("federation_ledger", Database.Form.DELTA, "data/federation_ledger.delta.db", head.rows() - base.rows(),
                base, head, null);
    }

    @Test
    void deltasOnTheHeadBeforeThemChain() {
        assertThat(DeltaChain.problems(List.of(new DeltaChain.Link("full/1", List.of(whole(AT_5000))),
                new DeltaChain.Link("proof/day", null),
                new DeltaChain.Link("incremental/2", List.of(delta(AT_5000, AT_5050))),
                new DeltaChain.Link("incremental/3", List.of(delta(AT_5050, AT_5100)))))).isEmpty();
    }

    @Test
    void anIncrementalBuiltOnAnOlderFullIsNamed() {
        // the newest full holds 5050 rows; the incremental after it was built on the full of 5000
        assertThat(DeltaChain.problems(List.of(new DeltaChain.Link("full/2", List.of(whole(AT_5050))),
                new DeltaChain.Link("incremental/3", List.of(delta(AT_5000, AT_5100))))))
                .singleElement().asString().startsWith("incremental/3: its federation_ledger delta builds on 5000 rows, but the archives"
                        + " before it leave 5050 rows");
        // the same count, another last row
        TableHead other = new TableHead(5000, 5000, "d".repeat(64));
        assertThat(DeltaChain.problems(List.of(new DeltaChain.Link("full/2", List.of(whole(other))),
                new DeltaChain.Link("incremental/3", List.of(delta(AT_5000, AT_5100))))))
                .singleElement().asString().contains("5000 rows ending in another row");
    }

    @Test
    void anArchiveThatFailedOnItsOwnIsNotNamedAgainByTheOnesAfterIt() {
        assertThat(DeltaChain.problems(List.of(new DeltaChain.Link("full/1", List.of(whole(AT_5000))),
                DeltaChain.Link.unread("incremental/2"),
                new DeltaChain.Link("incremental/3", List.of(delta(AT_5050, AT_5100)))))).isEmpty();
    }

    @Test
    void aDeltaAfterAnArchiveThatNamesNoDatabaseIsLeftToTheRestore() {
        assertThat(DeltaChain.problems(List.of(new DeltaChain.Link("full/old", null),
                new DeltaChain.Link("incremental/2", List.of(delta(AT_5000, AT_5050)))))).isEmpty();
        assertThat(Manifest.Database.Form.DELTA.wire()).isEqualTo("delta");
    }
}
