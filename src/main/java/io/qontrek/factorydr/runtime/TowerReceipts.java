package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.common.Hashes;

/**
 * The Tower's receipt signature over a proof:
 * {@code HMAC-SHA256(key = UTF-8(TOWER_SIGNING_SECRET), msg = UTF-8(proof_id|merkle_root|issued_at))}.
 */
public final class TowerReceipts {
    private TowerReceipts() {}

    public static String sign(String towerSecret, String proofId, String merkleRoot, String issuedAt) {
        return Hashes.hmacSha256Hex(towerSecret, proofId + "|" + merkleRoot + "|" + issuedAt);
    }

    /** True when the proof's receipt was signed with this secret over its own id and root (constant time). */
    public static boolean verify(String towerSecret, ProofFile proof) {
        ProofFile.TowerReceipt receipt = proof.towerReceipt();
        String expected = sign(towerSecret, proof.proofId(), proof.merkleRoot(), receipt.issuedAt());
        return Hashes.sameHex(expected, receipt.signature());
    }
}
