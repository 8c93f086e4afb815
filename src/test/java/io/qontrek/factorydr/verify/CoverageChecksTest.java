package io.qontrek.factorydr.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cheap checks a restore runs on a staged runtime: nonce coverage and receipt index coverage. */
class CoverageChecksTest {
    @TempDir
    Path tmp;

    @Test
    void aGeneratedRuntimeIsCoveredBothWays() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        assertThat(NonceCoverage.missingInStaged(rt.layout)).isZero();
        assertThat(ReceiptIndexCoverage.difference(rt.layout)).isNull();
    }

    @Test
    void everyLedgerRowWhoseNonceIsMissingIsCounted() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        TestRuntime.sql(rt.layout.nonceStoreDb(), "DELETE FROM nonces WHERE nonce IN (SELECT nonce FROM nonces LIMIT 3)");
        assertThat(NonceCoverage.missingInStaged(rt.layout)).isEqualTo(3);
        TestRuntime.sql(rt.layout.nonceStoreDb(), "DELETE FROM nonces");
        assertThat(NonceCoverage.missingInStaged(rt.layout)).isEqualTo(400);
    }

    @Test
    void aProofFileWithoutARowIsNamed() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        TestRuntime.sql(rt.layout.receiptsDb(), "DELETE FROM receipts WHERE seq = 7");
        assertThat(ReceiptIndexCoverage.difference(rt.layout)).isEqualTo("no receipt row for proof-000000000007.json");
    }

    @Test
    void rowsForFilesThatAreNotThereAreCounted() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        Files.delete(rt.layout.proofDir().resolve("proof-000000000007.json"));
        assertThat(ReceiptIndexCoverage.difference(rt.layout)).isEqualTo("receipt index has 1 row more than there are proof files");
    }

    @Test
    void twoRowsNamingOneFileAreNotCoverage() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        TestRuntime.sql(rt.layout.receiptsDb(), "INSERT INTO receipts SELECT 'p-copy', seq, merkle_root, signature, issued_at, file"
                + " FROM receipts WHERE seq = 7");
        assertThat(ReceiptIndexCoverage.difference(rt.layout)).isEqualTo("receipt index has 1 row more than there are proof files");
    }

    @Test
    void rowsOfOtherNamesAnywhereInTheOrderAreCountedAndAMissingFileStillNamed() throws Exception {
        // the check merges the rows and the files in one sorted pass: names that sort before, between and
        // after the proof files' (shorter, non-ASCII, longer) must neither hide a missing file nor be taken for one
        TestRuntime rt = TestRuntime.generate(tmp);
        String[] odd = {"a", "proof-000000000003.jsoné", "proof-00000000000é.json", "proof-0000000000000000.json", "\u00ff"};
        for (int i = 0; i < odd.length; i++) {
            TestRuntime.sql(rt.layout.receiptsDb(), "INSERT INTO receipts (proof_id, seq, merkle_root, signature, issued_at, file)"
                    + " SELECT 'odd-' || ?, seq, merkle_root, signature, issued_at, ? FROM receipts WHERE seq = 1 LIMIT 1", i, odd[i]);
        }
        assertThat(ReceiptIndexCoverage.difference(rt.layout)).isEqualTo("receipt index has 5 rows more than there are proof files");
        TestRuntime.sql(rt.layout.receiptsDb(), "DELETE FROM receipts WHERE seq = 7");
        assertThat(ReceiptIndexCoverage.difference(rt.layout)).isEqualTo("no receipt row for proof-000000000007.json");
    }

    @Test
    void aLedgerCutIntoSlicesIsReportedInSeqOrder() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp, 10, 1, 250_000); // over 100,000 rows: one slice per core
        for (long seq : new long[] {249_999, 5, 150_000}) {
            String nonce = TestRuntime.queryOne(rt.layout.ledgerDb(), "SELECT nonce FROM ledger WHERE seq = ?", seq);
            TestRuntime.sql(rt.layout.nonceStoreDb(), "DELETE FROM nonces WHERE nonce = ?", nonce);
        }
        assertThat(NonceCoverage.missingInStaged(rt.layout)).isEqualTo(3);
        // a nonce store larger than its mapped part: the pages beyond are read as before
        assertThat(Files.size(rt.layout.nonceStoreDb())).isGreaterThan(2 * 64 * 1024);
        assertThat(NonceCoverage.missingMapped(rt.layout, 64 * 1024)).isEqualTo(3);
        assertThat(FederationVerifier.verify(rt.layout).problems())
                .extracting(line -> line.substring(0, line.indexOf(':')))
                .containsExactly("seq 5", "seq 150000", "seq 249999");
    }
}
