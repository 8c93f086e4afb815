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
        assertThat(NonceCoverage.missing(rt.layout)).isZero();
        assertThat(ReceiptIndexCoverage.difference(rt.layout)).isNull();
    }

    @Test
    void everyLedgerRowWhoseNonceIsMissingIsCounted() throws Exception {
        TestRuntime rt = TestRuntime.generate(tmp);
        TestRuntime.sql(rt.layout.nonceStoreDb(), "DELETE FROM nonces WHERE nonce IN (SELECT nonce FROM nonces LIMIT 3)");
        assertThat(NonceCoverage.missing(rt.layout)).isEqualTo(3);
        TestRuntime.sql(rt.layout.nonceStoreDb(), "DELETE FROM nonces");
        assertThat(NonceCoverage.missing(rt.layout)).isEqualTo(400);
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
}
