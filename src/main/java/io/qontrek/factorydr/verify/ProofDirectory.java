package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.runtime.ProofFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.PrimitiveIterator;
import org.roaringbitmap.longlong.LongIterator;
import org.roaringbitmap.longlong.Roaring64Bitmap;

/**
 * The proof files of a proof directory, by seq: one listing, kept as a compressed bitmap of seqs
 * (RoaringBitmap: a chain of contiguous seqs takes a few bytes per 65,536 proofs, so the memory does
 * not grow with the runtime), never the proofs themselves, so verifiers can walk the chain in seq order.
 * Files named like a proof but not exactly {@code proof-<12 digits>.json} are kept aside by name.
 */
final class ProofDirectory {
    private final Path dir;
    private final Roaring64Bitmap seqs;
    private final List<String> misnamed;

    private ProofDirectory(Path dir, Roaring64Bitmap seqs, List<String> misnamed) {
        this.dir = dir;
        this.seqs = seqs;
        this.misnamed = misnamed;
    }

    static ProofDirectory list(Path proofDir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proofDir)) {
            return of(proofDir, () -> java.util.stream.StreamSupport.stream(entries.spliterator(), false)
                    .map(e -> e.getFileName().toString()).iterator());
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(proofDir.toString(), null, "proof directory does not exist");
        } catch (java.nio.file.DirectoryIteratorException e) {
            throw e.getCause();
        }
    }

    /** The directory {@code dir} holding the files {@code names}, in any order. */
    static ProofDirectory of(Path dir, Iterable<String> names) {
        Roaring64Bitmap seqs = new Roaring64Bitmap();
        List<String> misnamed = new ArrayList<>();
        for (String name : names) {
            OptionalLong seq = seqOfFileName(name);
            if (seq.isPresent()) {
                seqs.addLong(seq.getAsLong());
            } else if (name.startsWith("proof-") && name.endsWith(".json")) {
                misnamed.add(name);
            }
        }
        seqs.runOptimize();
        misnamed.sort(null);
        return new ProofDirectory(dir, seqs, misnamed);
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

    /** The seqs of the proof files, ascending (every seq is at least 0: it is a file name's digits). */
    PrimitiveIterator.OfLong seqs() {
        LongIterator it = seqs.getLongIterator();
        return new PrimitiveIterator.OfLong() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public long nextLong() {
                if (!it.hasNext()) throw new java.util.NoSuchElementException();
                return it.next();
            }
        };
    }

    int count() {
        return Math.toIntExact(seqs.getLongCardinality());
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
