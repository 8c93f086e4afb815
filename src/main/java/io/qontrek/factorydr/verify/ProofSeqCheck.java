package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * The cheap half of the proof chain check: one listing of the proof directory (names only, no file
 * read) shows whether seqs run contiguously from 0. A deleted proof shows here at once; a changed
 * one only shows in {@link ProofChainVerifier}, which reads and hashes every file.
 */
public final class ProofSeqCheck {
    private ProofSeqCheck() {}

    /** Passed with "N proof files, seq 0..N-1", or failed naming the first gap. */
    public static Verification check(RuntimeLayout layout) {
        ProofDirectory dir;
        try {
            dir = ProofDirectory.list(layout.proofDir());
        } catch (NoSuchFileException e) {
            return failed("proof directory " + layout.proofDir() + " does not exist");
        } catch (IOException e) {
            return failed("cannot list " + layout.proofDir() + ": " + e.getMessage());
        }
        long[] seqs = dir.seqs();
        if (seqs.length == 0) return failed("no proof files in " + layout.proofDir());
        long expected = 0;
        for (long seq : seqs) {
            if (seq != expected) {
                return failed(seq > expected
                        ? "proof file of seq " + expected + (seq - 1 > expected ? ".." + (seq - 1) : "") + " missing"
                        : "seq " + seq + " listed twice");
            }
            expected++;
        }
        if (!dir.misnamed().isEmpty()) {
            return failed("not a proof file name: " + dir.misnamed().get(0));
        }
        return passed(seqs.length + " proof files, seq 0.." + (seqs.length - 1));
    }

    private static Verification failed(String problem) {
        return new Verification("proof-files", false, 0, java.util.List.of(problem), problem, java.util.Map.of());
    }

    private static Verification passed(String detail) {
        return new Verification("proof-files", true, 0, java.util.List.of(), detail, java.util.Map.of());
    }
}
