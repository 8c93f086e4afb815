package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.TowerReceipts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptVerifierTest {
    @TempDir
    Path tmp;

    @Test
    void aGeneratedRuntimePasses() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);

        Verification v = ReceiptVerifier.verify(rt.layout, TestRuntime.towerSecret());

        assertThat(v.problems()).isEmpty();
        assertThat(v.passed()).isTrue();
        assertThat(v.checked()).isEqualTo(300);
        assertThat(v.detail()).isEqualTo("300 tower receipts verified; receipts.db agrees (300 rows)");
    }

    @Test
    void aForgedSignatureNamesTheSeqAndNotTheRightSignature() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        String proofId = TestRuntime.text(rt.proof(42), "proof_id");
        String root = TestRuntime.text(rt.proof(42), "merkle_root");
        String forged = TowerReceipts.sign("a-guessed-secret", proofId, root, "2025-10-24T00:00:00Z");
        TestRuntime.editJson(rt.proof(42), p -> p.with("tower_receipt").put("signature", forged));
        TestRuntime.sql(rt.layout.receiptsDb(), "UPDATE receipts SET signature = ? WHERE seq = 42", forged);

        Verification v = ReceiptVerifier.verify(rt.layout, TestRuntime.towerSecret());

        assertThat(v.problems()).containsExactly(
                "seq 42: tower_receipt signature does not verify (proof_id p-000000000042)");
    }

    @Test
    void theWrongSecretFailsEveryReceiptWithoutPrintingIt() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 20, 1, 10);
        String wrong = "not-the-tower-secret";

        Verification v = ReceiptVerifier.verify(rt.layout, wrong.getBytes(StandardCharsets.UTF_8));

        assertThat(v.problems()).hasSize(20);
        assertThat(v.toString()).doesNotContain(wrong).doesNotContain(TestRuntime.TOWER_SECRET);
    }

    @Test
    void theReceiptIndexMustHoldOneMatchingRowPerProofFile() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        Path db = rt.layout.receiptsDb();
        TestRuntime.sql(db, "DELETE FROM receipts WHERE seq = 42");
        TestRuntime.sql(db, "UPDATE receipts SET merkle_root = ?, file = 'elsewhere.json' WHERE seq = 43", "00".repeat(32));
        TestRuntime.sql(db, "INSERT INTO receipts VALUES ('p-000000000999', 999, ?, ?, '2025-10-26T03:00:00Z', 'proof-000000000999.json')",
                "11".repeat(32), "22".repeat(32));
        Files.delete(rt.proof(7));

        Verification v = ReceiptVerifier.verify(rt.layout, TestRuntime.towerSecret());

        assertThat(v.problems()).containsExactly(
                "receipts.db: extra row proof_id p-000000000007 seq 7 (no proof file for it, or a second row for that seq)",
                "seq 42: no row in receipts.db",
                "seq 43: receipts.db row differs from proof-000000000043.json in merkle_root, file",
                "receipts.db: extra row proof_id p-000000000999 seq 999 (no proof file for it, or a second row for that seq)");
    }

    @Test
    void aMissingReceiptIndexIsReportedAndSignaturesStillChecked() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 20, 1, 10);
        Files.delete(rt.layout.receiptsDb());

        Verification v = ReceiptVerifier.verify(rt.layout, TestRuntime.towerSecret());

        assertThat(v.problems()).singleElement().asString().startsWith("receipts.db missing: ");
        assertThat(v.fact("signatures_verified")).contains("20");
    }
}
