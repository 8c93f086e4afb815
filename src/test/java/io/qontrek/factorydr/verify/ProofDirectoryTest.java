package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.SmallHeap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PrimitiveIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof directory's listing: seqs come back ascending whatever the directory's order, misnamed
 * proof files aside; and it holds five million seqs in a 24 MB heap, where eight bytes a seq (the long
 * array it was) would need 40 MB and its growth twice that.
 */
class ProofDirectoryTest {
    @TempDir Path tmp;

    @Test
    void seqsComeBackAscendingAndMisnamedFilesAside() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("proof"));
        for (long seq : new long[] {7, 0, 1_000_000_000_000L, 3, 70_000, 65_536, 65_535}) {
            Files.createFile(dir.resolve(ProofDirectory.fileName(seq)));
        }
        for (String other : List.of("proof-1.json", "proof-00000000000x.json", "notes.txt", "digests")) Files.createFile(dir.resolve(other));
        ProofDirectory d = ProofDirectory.list(dir);
        List<Long> seqs = new ArrayList<>();
        for (PrimitiveIterator.OfLong it = d.seqs(); it.hasNext(); ) seqs.add(it.nextLong());
        assertThat(seqs).containsExactly(0L, 3L, 7L, 65_535L, 65_536L, 70_000L, 1_000_000_000_000L);
        assertThat(d.count()).isEqualTo(7);
        assertThat(d.misnamed()).containsExactly("proof-00000000000x.json", "proof-1.json");
    }

    /** The child: five million proof names, in an order that is not seq order, with a gap. */
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        Iterable<String> names = () -> new Iterator<>() {
            int i = 0;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public String next() {
                long seq = (i++ * 1_000_003L) % n; // a permutation of 0..n-1
                return ProofDirectory.fileName(seq < 1000 ? seq + n : seq); // seqs 0..999 missing, n..n+999 instead
            }
        };
        ProofDirectory d = ProofDirectory.of(Path.of("proof"), names);
        long expected = 1000;
        long count = 0;
        for (PrimitiveIterator.OfLong it = d.seqs(); it.hasNext(); count++) {
            long seq = it.nextLong();
            if (seq != expected++) throw new AssertionError("seq " + seq + " where " + (expected - 1) + " was due");
        }
        if (count != n || d.count() != n) throw new AssertionError(count + " seqs, " + d.count() + " counted, of " + n);
        System.out.println("listed " + count + " seqs in order");
    }

    @Test
    void fiveMillionSeqsInATwentyFourMegabyteHeap() throws Exception {
        assertThat(SmallHeap.run("24m", ProofDirectoryTest.class, tmp, "5000000")).contains("listed 5000000 seqs in order");
    }
}
