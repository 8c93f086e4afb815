package io.qontrek.factorydr.verify;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * What a verifier needs of one proof file, without its leaves: the leaves are hashed into
 * {@code computedRoot} while the file is parsed (null when the reader was asked not to), so a
 * proof costs a few short strings, not its whole JSON.
 */
record ProofRecord(long seq, String proofId, String createdAt, String merkleRoot, String prevRoot,
                   String issuedAt, String signature, int leafCount, String computedRoot) {

    /** The UTC day of created_at: the day the proof belongs to in the daily digests. */
    LocalDate day() {
        return Instant.parse(createdAt).atZone(ZoneOffset.UTC).toLocalDate();
    }

    boolean rootRecomputes() {
        return merkleRoot.equals(computedRoot);
    }
}
