package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.runtime.ProofFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The proof files of a proof directory, by seq: one listing, kept as a sorted array of seqs (eight
 * bytes a proof, never the proofs themselves), so verifiers can walk the chain in seq order.
 * Files named like a proof but not exactly {@code proof-<12 digits>.json} are kept aside by name.
 */
final class ProofDirectory {
    private final Path dir;
    private final long[] seqs;
    private final List<String> misnamed;

    private ProofDirectory(Path dir, long[] seqs, List<String> misnamed) {
        this.dir = dir;
        this.seqs = seqs;
        this.misnamed = misnamed;
    }

    static ProofDirectory list(Path proofDir) throws IOException {
        long[] seqs = new long[1024];
        int n = 0;
        List<String> misnamed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proofDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                OptionalLong seq = seqOfFileName(name);
                if (seq.isPresent()) {
                    if (n == seqs.length) {
                        seqs = Arrays.copyOf(seqs, n * 2);
                    }
                    seqs[n++] = seq.getAsLong();
                } else if (name.startsWith("proof-") && name.endsWith(".json")) {
                    misnamed.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(proofDir.toString(), null, "proof directory does not exist");
        }
        long[] sorted = Arrays.copyOf(seqs, n);
        Arrays.sort(sorted);
        misnamed.sort(null);
        return new ProofDirectory(proofDir, sorted, misnamed);
    }

    /**
     * The listing for a verifier: null when the directory does not exist, recorded as the problem
     * "proof directory ... does not exist"; any other failure to list is not a verdict and is thrown.
     */
    static ProofDirectory listOrReport(Path proofDir, Findings findings) {
        try {
            return list(proofDir);
        } catch (NoSuchFileException e) {
            findings.problem("proof directory " + proofDir + " does not exist");
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("listing " + proofDir, e);
        }
    }

    /** The seqs of the proof files, ascending. */
    long[] seqs() {
        return seqs;
    }

    int count() {
        return seqs.length;
    }

    /** Names starting {@code proof-} and ending {@code .json} that are not a proof file name. */
    List<String> misnamed() {
        return misnamed;
    }

    Path file(long seq) {
        return dir.resolve(fileName(seq));
    }

    static OptionalLong seqOfFileName(String name) {
        return ProofFile.seqOfFileName(name);
    }

    /** {@code proof-<seq, 12 digits>.json}, without String.format: this runs once per proof. */
    static String fileName(long seq) {
        String digits = Long.toString(seq);
        if (digits.length() >= 12) {
            return "proof-" + digits + ".json";
        }
        return "proof-" + "000000000000".substring(digits.length()) + digits + ".json";
    }
}
