package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.common.Hex;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.DailyDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The runbook's "check digest continuity": one digest for every day from the first proof's day to
 * the last's, each recomputing from its prev_digest, its date and the merkle_roots of that day's
 * proofs in seq order, with first_seq/last_seq naming those proofs (null on an empty day), and each
 * prev_digest the digest of the day before (ZERO on the first day).
 *
 * <p>Proofs are streamed in seq order and grouped by their UTC day, holding one day's roots at a
 * time. A day's prev_digest is compared with the day before as it is on disk (or as it should have
 * been, when that file is missing), so one altered digest is reported on its own day and as a broken
 * link on the next, and the report stops there.
 */
public final class DigestVerifier {
    public static final String NAME = "digests";

    private final Findings findings = new Findings(NAME);
    private final Path digestsDir;
    private String expectedPrev = Hex.ZERO;
    private LocalDate previousDay;
    // the walk over the proofs in seq order: the day being collected, the first day, that day's roots and seqs
    private LocalDate day;
    private LocalDate firstDay;
    private final List<String> roots = new ArrayList<>();
    private long firstSeq = -1;
    private long lastSeq = -1;

    private DigestVerifier(Path digestsDir) {
        this.digestsDir = digestsDir;
    }

    public static Verification verify(RuntimeLayout layout) {
        return new DigestVerifier(layout.digestsDir()).run(layout);
    }

    private Verification run(RuntimeLayout layout) {
        ProofDirectory dir;
        TreeSet<LocalDate> onDisk;
        try {
            dir = ProofDirectory.list(layout.proofDir());
            onDisk = digestDays();
        } catch (NoSuchFileException e) {
            findings.problem(e.getFile() + " does not exist");
            return findings.verdict("", "daily digests not continuous");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + layout.proofDir() + ": " + e.getMessage(), e);
        }
        ProofFiles.forEach(dir, false, read -> {
            long seq = read.seq();
            ProofRecord proof = read.proof();
            if (proof == null) {
                // Its root is lost, so its day's digest shows as not recomputing too.
                findings.problem(ProofChainVerifier.oneLine(read.failure()));
                return;
            }
            LocalDate d = proof.day();
            if (day == null) {
                day = firstDay = d;
            } else if (d.isBefore(day)) {
                findings.problem("seq " + seq + ": created_at is on " + d + ", before the previous proof's day " + day
                        + "; no digest can cover it");
            }
            while (day.isBefore(d)) {
                checkDay(day, roots, firstSeq, lastSeq);
                roots.clear();
                firstSeq = -1;
                day = day.plusDays(1);
            }
            if (firstSeq < 0) firstSeq = seq;
            lastSeq = seq;
            roots.add(proof.merkleRoot());
        });
        if (day != null) {
            checkDay(day, roots, firstSeq, lastSeq);
            for (LocalDate extra : onDisk) {
                if (extra.isBefore(firstDay) || extra.isAfter(day)) {
                    findings.problem(extra + ": digest outside the proof days " + firstDay + ".." + day);
                }
            }
            findings.fact("first_day", firstDay);
            findings.fact("last_day", day);
        } else if (!onDisk.isEmpty()) {
            findings.problem("digests present but no proof files: " + onDisk.first() + ".." + onDisk.last());
        }
        findings.fact("last_digest", expectedPrev);
        long days = findings.checkedCount();
        return findings.verdict("daily digests continuous: " + days + (days == 1 ? " day" : " days")
                        + (firstDay == null ? "" : " " + firstDay + ".." + day) + ", " + dir.count() + " proofs",
                "daily digests not continuous");
    }

    private void checkDay(LocalDate day, List<String> roots, long firstSeq, long lastSeq) {
        findings.checked();
        String date = day.toString();
        Path file = DailyDigest.path(digestsDir.getParent(), day);
        String recomputed = DailyDigest.compute(expectedPrev, date, roots);
        if (!Files.isRegularFile(file)) {
            findings.problem(date + ": digest missing (" + DailyDigest.DIRECTORY + "/" + file.getFileName() + ")");
            advance(day, recomputed);
            return;
        }
        DailyDigest digest;
        try {
            digest = DailyDigest.read(file);
        } catch (IOException e) {
            findings.problem(ProofChainVerifier.oneLine(e));
            advance(day, recomputed);
            return;
        }
        if (!digest.date().equals(date)) {
            findings.problem(date + ": digest file says date " + digest.date());
        }
        if (!digest.prevDigest().equals(expectedPrev)) {
            findings.problem(date + ": prev_digest " + (previousDay == null ? "is not ZERO (first day)"
                    : "does not match the digest of " + previousDay));
        }
        if (!digest.recomputes(roots)) {
            findings.problem(date + ": digest does not recompute from its prev_digest and the day's " + roots.size()
                    + " proof roots");
        }
        Long first = firstSeq < 0 ? null : firstSeq;
        Long last = firstSeq < 0 ? null : lastSeq;
        if (!Objects.equals(digest.firstSeq(), first) || !Objects.equals(digest.lastSeq(), last)) {
            findings.problem(date + ": first_seq..last_seq is " + range(digest.firstSeq(), digest.lastSeq())
                    + ", the day's proofs are " + range(first, last));
        }
        advance(day, digest.digest());
    }

    private void advance(LocalDate day, String digest) {
        expectedPrev = digest;
        previousDay = day;
    }

    private TreeSet<LocalDate> digestDays() throws IOException {
        TreeSet<LocalDate> days = new TreeSet<>();
        if (!Files.isDirectory(digestsDir)) {
            return days;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(digestsDir, "*.json")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                Optional<LocalDate> day = DailyDigest.dateOfFileName(name);
                if (day.isPresent()) {
                    days.add(day.get());
                } else {
                    findings.problem(DailyDigest.DIRECTORY + "/" + name + ": not a digest file name (expected YYYY-MM-DD.json)");
                }
            }
        }
        return days;
    }

    private static String range(Long first, Long last) {
        return first == null ? "none" : "seq " + first + ".." + last;
    }
}
