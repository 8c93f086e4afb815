package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parallel reader hands over exactly what one reader walking the seqs in order reads. */
class ProofFilesTest {
    @TempDir
    Path tmp;

    /** seq, then the record's fields or the failure's message: what a verifier can see of one file. */
    private static String describe(long seq, ProofRecord p, IOException failure) {
        return seq + " " + (p != null ? p.toString() : "failed: " + failure.getMessage());
    }

    private static List<String> sequential(ProofDirectory dir, boolean roots, long[] bytes) {
        ProofReader reader = new ProofReader(roots);
        List<String> out = new ArrayList<>();
        for (var it = dir.seqs(); it.hasNext(); ) {
            long seq = it.nextLong();
            String name = ProofDirectory.fileName(seq);
            try {
                out.add(describe(seq, reader.read(dir.file(seq), name), null));
            } catch (IOException e) {
                out.add(describe(seq, null, e));
            }
        }
        bytes[0] = reader.bytesRead();
        return out;
    }

    @Test
    void sameRecordsFailuresOrderAndBytesAsOneReaderAcrossManyBatches() throws Exception {
        int proofs = ProofFiles.BATCH * 9 + 5;      // several batches and a short last one
        TestRuntime rt = TestRuntime.generate(tmp, proofs, 3, 50);
        // breakages spread over the batches: malformed, empty, a gap, a wrong root
        Files.writeString(rt.proof(3), "{\"schema\": ", StandardCharsets.UTF_8);
        Files.write(rt.proof(ProofFiles.BATCH), new byte[0]);
        Files.delete(rt.proof(ProofFiles.BATCH * 4 + 1));
        TestRuntime.editJson(rt.proof(proofs - 1), p -> p.put("merkle_root", "cd".repeat(32)));
        // files too large to be held between reading and parsing: one valid, one not
        Files.writeString(rt.proof(7), Files.readString(rt.proof(7)) + " ".repeat(ProofFiles.KEEP_BYTES + 10));
        Files.writeString(rt.proof(ProofFiles.BATCH * 2 + 3), "[" + " ".repeat(ProofFiles.KEEP_BYTES) + "1]");
        ProofDirectory dir = ProofDirectory.list(rt.layout.proofDir());

        for (boolean roots : new boolean[] {true, false}) {
            long[] expectedBytes = {0};
            List<String> expected = sequential(dir, roots, expectedBytes);
            List<String> seen = new ArrayList<>();
            long bytes = ProofFiles.forEach(dir, roots, r -> seen.add(describe(r.seq(), r.proof(), r.failure())));

            assertThat(seen).containsExactlyElementsOf(expected);
            assertThat(bytes).isEqualTo(expectedBytes[0]);
        }
    }

    @Test
    void aVisitorsExceptionEndsTheWalkThere() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, ProofFiles.BATCH * 3, 2, 20);
        ProofDirectory dir = ProofDirectory.list(rt.layout.proofDir());
        List<Long> seen = new ArrayList<>();

        assertThatThrownBy(() -> ProofFiles.<IOException>forEach(dir, false, r -> {
            seen.add(r.seq());
            if (r.seq() == 40) throw new IOException("stop at 40");
        })).hasMessage("stop at 40");
        assertThat(seen).hasSize(41).endsWith(40L);
    }

    @Test
    void anEmptyDirectoryReadsNothing() throws Exception {
        Files.createDirectories(tmp.resolve("proof"));
        ProofDirectory dir = ProofDirectory.list(tmp.resolve("proof"));
        assertThat(ProofFiles.forEach(dir, true, r -> {
            throw new AssertionError("no files");
        })).isZero();
    }
}
