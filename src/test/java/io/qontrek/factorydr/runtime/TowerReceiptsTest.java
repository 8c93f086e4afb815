package io.qontrek.factorydr.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TowerReceiptsTest {
    private static final String ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";

    @Test
    void signatureIsHmacSha256OfIdRootAndTimeJoinedByBars() throws Exception {
        String signature = TowerReceipts.sign("tower-secret-é", "p-000000000042", ROOT, "2025-10-23T14:00:01Z");

        assertThat(signature).isEqualTo(
                Reference.hmac("tower-secret-é", "p-000000000042|" + ROOT + "|2025-10-23T14:00:01Z"));
    }

    @Test
    void verifyAcceptsTheRightSecretAndRefusesAnyOtherOrAnyEdit() {
        String issuedAt = "2025-10-23T14:00:01Z";
        ProofFile proof = proof(ROOT, new ProofFile.TowerReceipt(issuedAt,
                TowerReceipts.sign("s3cret", "p-000000000042", ROOT, issuedAt)));

        assertThat(TowerReceipts.verify("s3cret", proof)).isTrue();
        assertThat(TowerReceipts.verify("s3cret ", proof)).isFalse();
        ProofFile otherRoot = proof(Reference.zero(), proof.towerReceipt());
        assertThat(TowerReceipts.verify("s3cret", otherRoot)).isFalse();
        ProofFile otherTime = proof(ROOT, new ProofFile.TowerReceipt("2025-10-23T14:00:02Z",
                proof.towerReceipt().signature()));
        assertThat(TowerReceipts.verify("s3cret", otherTime)).isFalse();
    }

    private static ProofFile proof(String root, ProofFile.TowerReceipt receipt) {
        return new ProofFile(ProofFile.SCHEMA, 42, "p-000000000042", "2025-10-23T14:00:00Z", List.of(), root,
                Reference.zero(), receipt);
    }
}
