package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.backup.SqliteSnapshot;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.verify.DigestVerifier;
import io.qontrek.factorydr.verify.FederationVerifier;
import io.qontrek.factorydr.verify.ProofChainVerifier;
import io.qontrek.factorydr.verify.Rebuild;
import io.qontrek.factorydr.verify.ReceiptVerifier;
import io.qontrek.factorydr.verify.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Proves a staged runtime is whole before anything live is touched (runtime contract,
 * "SQLite databases"): every staged database passes {@code PRAGMA integrity_check}; the nonce
 * store holds every ledger nonce and the receipt index agrees with the proof files, each rebuilt
 * from its source when it does not (an incremental's new proofs are not in the full's index);
 * with --verify, every verifier of the restored scope passes. A failure throws and the restore
 * stops with the live runtime untouched.
 */
public final class StagedRuntimeCheck {
    private StagedRuntimeCheck() {}

    /**
     * @param towerSecret TOWER_SIGNING_SECRET, or null when it is not set (then the receipt index is
     *     rebuilt rather than checked, and --verify cannot check receipts)
     */
    public static void check(RestoreJob job, byte[] towerSecret) throws IOException {
        RuntimeLayout staged = job.stagedLayout();
        boolean databases = job.scope == RuntimeSwap.Scope.ALL || job.scope == RuntimeSwap.Scope.LEDGER;
        boolean proofs = job.scope == RuntimeSwap.Scope.ALL || job.scope == RuntimeSwap.Scope.PROOF;

        if (databases) {
            for (String db : RuntimeSwap.DATABASES) {
                Path file = staged.dataDir().resolve(db);
                if (!Files.isRegularFile(file)) throw new RestoreException("the restore set holds no data/" + db);
                String result = SqliteSnapshot.integrityCheck(file);
                if (!result.equals("ok")) throw new RestoreException("restored data/" + db + " fails integrity_check: " + result);
            }
            job.checks.add("integrity_check ok: " + String.join(", ", RuntimeSwap.DATABASES));
            Verification federation = FederationVerifier.verify(staged);
            if (!federation.passed()) {
                Rebuild.Rebuilt r = Rebuild.nonces(staged);
                job.checks.add("nonce store rebuilt from the ledger (" + r.rows() + " nonces): "
                        + federation.firstProblem().orElse(""));
                require(job, FederationVerifier.verify(staged));
            }
            job.checks.add("every ledger nonce is in the nonce store");
        }
        if (job.scope == RuntimeSwap.Scope.ALL) {
            Verification receipts = towerSecret == null ? null : ReceiptVerifier.verify(staged, towerSecret);
            if (receipts == null || !receipts.passed()) {
                Rebuild.Rebuilt r = Rebuild.receipts(staged);
                job.checks.add("receipt index rebuilt from the proof files (" + r.rows() + " receipts)"
                        + (receipts == null ? "" : ": " + receipts.firstProblem().orElse("")));
            }
        }
        if (job.verify) {
            if (proofs) {
                require(job, ProofChainVerifier.verify(staged));
                require(job, DigestVerifier.verify(staged));
            }
            if (job.scope == RuntimeSwap.Scope.ALL) {
                if (towerSecret == null) throw new RestoreException("--verify needs TOWER_SIGNING_SECRET to check tower receipts");
                require(job, ReceiptVerifier.verify(staged, towerSecret));
            }
            if (databases) require(job, FederationVerifier.verify(staged));
        }
    }

    private static void require(RestoreJob job, Verification v) throws RestoreException {
        job.checks.add("verify " + v.name() + ": " + (v.passed() ? "passed, " : "FAILED, ") + v.detail());
        if (!v.passed()) {
            throw new RestoreException("the restored runtime fails 'verify " + v.name() + "': "
                    + v.firstProblem().orElse(v.detail()) + "; the live runtime is untouched");
        }
    }

    /** The verifications --verify ran, for the report. */
    public static List<String> names(RestoreJob job) {
        return switch (job.scope) {
            case ALL -> List.of("proofs", "digests", "receipts", "federation");
            case PROOF -> List.of("proofs", "digests");
            case LEDGER -> List.of("federation");
            case CONFIG -> List.of();
        };
    }
}
