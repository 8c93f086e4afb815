package io.qontrek.factorydr.verify;

import java.time.LocalDate;

/**
 * What a verifier needs of one proof file, without its leaves: the leaves are hashed into
 * {@code computedRoot} while the file is parsed (null when the reader was asked not to), so a
 * proof costs a few short strings, not its whole JSON. {@code day} is created_at's UTC day, the
 * day the proof belongs to in the daily digests.
 */
record ProofRecord(long seq, String proofId, String createdAt, LocalDate day, String merkleRoot, String prevRoot,
                   String issuedAt, String signature, int leafCount, String computedRoot) {

    boolean rootRecomputes() {
        return merkleRoot.equals(computedRoot);
    }
}
