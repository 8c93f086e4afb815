package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.common.Hex;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The runbook's "verify proof merkle roots": every proof file recomputes its RFC 6962 root, seqs
 * are contiguous from 0, and each prev_root is the merkle_root of the proof before (ZERO for seq 0).
 *
 * <p>Streams in seq order ({@link ProofFiles}: many files read at once, handed over one by one),
 * keeping only the previous proof's root. With a date
 * range only the proofs created in it (UTC days, inclusive) are checked, but the first of them is
 * still linked to the proof just before the range, so a range cannot hide a break at its edge.
 * Reports the chain head (the highest seq read) as facts {@code head_seq} and {@code head_root}.
 */
public final class ProofChainVerifier {
    public static final String NAME = "proofs";

    private final Findings findings = new Findings(NAME);
    private final LocalDate from;
    private final LocalDate to;
    private final boolean ranged;

    private ProofRecord previous;       // the proof at seq - 1 when it read cleanly, else null
    private boolean previousInRange;
    private long expected;              // the seq the next file should have
    private long firstChecked = -1;
    private long lastChecked = -1;
    private long headSeq = -1;          // the highest seq read cleanly, and its root
    private String headRoot;

    private ProofChainVerifier(Optional<LocalDate> from, Optional<LocalDate> to) {
        this.from = from.orElse(LocalDate.MIN);
        this.to = to.orElse(LocalDate.MAX);
        this.ranged = from.isPresent() || to.isPresent();
    }

    /** Verifies the proof chain; {@code from}/{@code to} limit it to proofs created on those UTC days. */
    public static Verification verify(RuntimeLayout layout, Optional<LocalDate> from, Optional<LocalDate> to) {
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw new IllegalArgumentException("from " + from.get() + " is after to " + to.get());
        }
        return new ProofChainVerifier(from, to).run(layout);
    }

    public static Verification verify(RuntimeLayout layout) {
        return verify(layout, Optional.empty(), Optional.empty());
    }

    private Verification run(RuntimeLayout layout) {
        ProofDirectory dir = ProofDirectory.listOrReport(layout.proofDir(), findings);
        if (dir == null) return findings.verdict("", "proof chain missing");
        for (String name : dir.misnamed()) {
            findings.problem(name + ": not a proof file name (expected proof-<seq, 12 digits>.json)");
        }
        if (dir.count() == 0) {
            findings.problem("no proof files in " + layout.proofDir());
        }
        long bytes = ProofFiles.forEach(dir, true, this::visit);
        if (headRoot != null) {
            findings.fact("head_seq", headSeq);
            findings.fact("head_root", headRoot);
        }
        findings.fact("proof_files", dir.count());
        findings.fact("bytes", bytes);
        if (firstChecked >= 0) {
            findings.fact("first_seq", firstChecked);
            findings.fact("last_seq", lastChecked);
        }
        return findings.verdict(passedDetail(), "proof chain broken" + rangeText());
    }

    /** One proof file, in seq order. */
    private void visit(ProofFiles.Read read) {
        long seq = read.seq();
        ProofRecord proof = read.proof();
        if (proof == null) {
            // Its day is unknown, so it is reported whatever the range: louder is safer.
            reportGapBefore(seq, true);
            findings.problem(oneLine(read.failure()));
            previous = null;
            previousInRange = true;
            expected = seq + 1;
            return;
        }
        boolean inRange = !ranged || inRange(proof);
        reportGapBefore(seq, inRange);
        if (inRange) {
            check(seq, read.name(), proof);
        }
        headSeq = seq;
        headRoot = proof.merkleRoot();
        previous = proof;
        previousInRange = inRange;
        expected = seq + 1;
    }

    private void check(long seq, String name, ProofRecord proof) {
        findings.checked();
        if (firstChecked < 0) firstChecked = seq;
        lastChecked = seq;
        if (proof.seq() != seq) {
            findings.problem(name + ": seq field is " + proof.seq() + ", the file name says " + seq);
        }
        if (!proof.rootRecomputes()) {
            findings.problem("seq " + seq + ": merkle_root does not recompute from its " + proof.leafCount()
                    + " leaves (RFC 6962)");
        }
        if (seq == 0) {
            if (!proof.prevRoot().equals(Hex.ZERO)) {
                findings.problem("seq 0: prev_root is not ZERO");
            }
        } else if (previous != null && expected == seq) {
            // Only a proof read cleanly at seq - 1 can be linked to; a missing or unreadable one is reported itself.
            if (!proof.prevRoot().equals(previous.merkleRoot())) {
                findings.problem("seq " + seq + ": prev_root does not match merkle_root of seq " + (seq - 1));
            }
        }
    }

    /** Seqs missing before this one are reported when a proof next to the gap is in the range. */
    private void reportGapBefore(long seq, boolean inRange) {
        if (seq > expected && (inRange || (previousInRange && expected > 0))) {
            long last = seq - 1;
            findings.problem(last == expected ? "seq " + expected + " missing"
                    : "seq " + expected + ".." + last + " missing (" + (last - expected + 1) + " proofs)");
            previous = null;
        }
    }

    private boolean inRange(ProofRecord proof) {
        LocalDate day = proof.day();
        return !day.isBefore(from) && !day.isAfter(to);
    }

    private String passedDetail() {
        if (firstChecked < 0) {
            return "no proofs to check" + rangeText();
        }
        long n = findings.checkedCount();
        return "proof chain continuous" + rangeText() + ": seq " + firstChecked + ".." + lastChecked + ", " + n
                + (n == 1 ? " proof" : " proofs");
    }

    private String rangeText() {
        if (!ranged) return "";
        return " (" + (from.equals(LocalDate.MIN) ? "start" : from) + " to " + (to.equals(LocalDate.MAX) ? "end" : to) + ")";
    }

    static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
