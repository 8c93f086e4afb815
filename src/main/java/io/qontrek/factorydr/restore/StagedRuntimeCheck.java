package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.common.ParallelChecks;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.RuntimeDatabase;
import io.qontrek.factorydr.verify.NonceCoverage;
import io.qontrek.factorydr.verify.Rebuild;
import io.qontrek.factorydr.verify.ReceiptIndexCoverage;
import io.qontrek.factorydr.verify.RuntimeWhole;
import io.qontrek.factorydr.verify.RuntimeWhole.Part;
import io.qontrek.factorydr.verify.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Proves a staged runtime is whole before anything live is touched (runtime contract,
 * "SQLite databases"): the nonce store holds every ledger nonce and the receipt index covers the
 * proof files, each rebuilt from its source when it does not (an incremental's new proofs are not in
 * the full's index); with --verify, the staged runtime is whole ({@link RuntimeWhole}: every
 * database passes {@code PRAGMA integrity_check} and every verifier of the restored scope passes). A failure throws and the restore stops with the live
 * runtime untouched.
 *
 * <p>Without --verify the databases get no integrity_check here: the extraction pass proved each
 * one byte for byte equal (SHA-256 against the signed manifest) to the snapshot that passed
 * integrity_check when the backup took it, so the check would only repeat that verdict.
 */
public final class StagedRuntimeCheck {
    private StagedRuntimeCheck() {}

    /**
     * @param towerSecret TOWER_SIGNING_SECRET, or null when it is not set (then --verify cannot
     *     check receipts)
     */
    public static void check(RestoreJob job, byte[] towerSecret) throws IOException {
        RuntimeLayout staged = job.stagedLayout();
        boolean databases = job.scope == RuntimeSwap.Scope.ALL || job.scope == RuntimeSwap.Scope.LEDGER;
        boolean proofs = job.scope == RuntimeSwap.Scope.ALL || job.scope == RuntimeSwap.Scope.PROOF;
        boolean receipts = job.scope == RuntimeSwap.Scope.ALL;
        if (job.verify && receipts && towerSecret == null) {
            throw new RestoreException("--verify needs TOWER_SIGNING_SECRET to check tower receipts");
        }
        if (databases) {
            for (String db : RuntimeSwap.DATABASES) {
                if (!Files.isRegularFile(staged.dataDir().resolve(db))) throw new RestoreException("the restore set holds no data/" + db);
            }
        }

        // Every check at once, on every core: they only read, and none depends on another. With
        // --verify, the runtime whole (RuntimeWhole) for the restored scope; without, integrity_check
        // only on a database a delta was applied to: it is no longer the snapshot the backup checked.
        List<RuntimeDatabase> toCheck = !databases ? List.of() : RuntimeDatabase.inOrder().stream()
                .filter(d -> job.verify || job.databasesReplayed.contains(d.fileName())).toList();
        Set<Part> parts = EnumSet.noneOf(Part.class);
        if (!toCheck.isEmpty()) parts.add(Part.DATABASES);
        if (job.verify && databases) parts.add(Part.FEDERATION);
        if (job.verify && receipts) parts.add(Part.RECEIPTS);
        if (job.verify && proofs) parts.addAll(List.of(Part.PROOFS, Part.DIGESTS));
        ParallelChecks checks = new ParallelChecks();
        ParallelChecks.Result<List<Verification>> whole = checks.submit(() -> RuntimeWhole.verify(staged, towerSecret, parts, toCheck));
        ParallelChecks.Result<Long> missingNonces = databases && !job.verify ? checks.submit(() -> missingNonces(staged)) : null;
        ParallelChecks.Result<String> receiptIndex = receipts ? checks.submit(() -> receiptIndexProblem(job, staged)) : null;
        checks.awaitAll();
        Map<String, Verification> verdicts = new HashMap<>();
        for (Verification v : whole.get()) verdicts.put(v.name(), v);

        // Then, in a fixed order, the verdicts, and the rebuilds they call for (each after its checks).
        Verification integrity = verdicts.get(Part.DATABASES.verdictName);
        if (integrity != null && !integrity.passed()) {
            throw new RestoreException("restored " + integrity.firstProblem().orElse(integrity.detail()));
        }
        Verification federationVerdict = verdicts.get(Part.FEDERATION.verdictName);
        if (databases) {
            if (job.verify) {
                job.checks.add("integrity_check ok: " + String.join(", ", RuntimeSwap.DATABASES));
            } else {
                List<String> checked = toCheck.stream().map(RuntimeDatabase::fileName).toList();
                List<String> asSnapshot = RuntimeSwap.DATABASES.stream().filter(d -> !checked.contains(d)).toList();
                if (!asSnapshot.isEmpty()) {
                    job.checks.add(String.join(", ", asSnapshot)
                            + ": byte for byte the snapshots the backup checked (SHA-256 against the signed manifest)");
                }
                if (!checked.isEmpty()) job.checks.add("integrity_check ok after the deltas: " + String.join(", ", checked));
            }
            long missing = job.verify ? (federationVerdict.passed() ? 0 : missingNonces(staged)) : missingNonces.get();
            if (missing > 0) {
                Rebuild.Rebuilt r = Rebuild.nonces(staged);
                job.checks.add("nonce store rebuilt from the ledger (" + r.rows() + " nonces): " + missing
                        + " ledger nonces were not in it");
                if (missingNonces(staged) > 0) throw new RestoreException("the rebuilt nonce store still misses ledger nonces");
                if (job.verify) federationVerdict = again(staged, towerSecret, Part.FEDERATION);
            }
            job.checks.add("every ledger nonce is in the nonce store");
        }
        Verification receiptVerdict = verdicts.get(Part.RECEIPTS.verdictName);
        if (receipts) {
            String why = receiptIndex.get();
            if (why == null && receiptVerdict != null && !receiptVerdict.passed()) {
                why = receiptVerdict.firstProblem().orElse(receiptVerdict.detail());
            }
            if (why != null) {
                Rebuild.Rebuilt r = Rebuild.receipts(staged);
                job.checks.add("receipt index rebuilt from the proof files (" + r.rows() + " receipts): " + why);
                if (job.verify) receiptVerdict = again(staged, towerSecret, Part.RECEIPTS);
            }
        }
        if (job.verify) {
            if (proofs) {
                require(job, verdicts.get(Part.PROOFS.verdictName));
                require(job, verdicts.get(Part.DIGESTS.verdictName));
            }
            if (receipts) require(job, receiptVerdict);
            if (databases) require(job, federationVerdict);
        }
    }

    /** One part of the runtime check again, after a rebuild. */
    private static Verification again(RuntimeLayout staged, byte[] towerSecret, Part part) throws IOException {
        return RuntimeWhole.verify(staged, towerSecret, EnumSet.of(part)).get(0);
    }

    /**
     * Why the staged receipt index must be rebuilt, as far as that can be told without reading every
     * proof file, or null. Archives applied after the full bring the index's new rows with their new
     * proofs (an incremental's receipts delta), so an index that names exactly the staged proof files
     * needs no rebuild; one that does not (a proof-daily archive's files carry no database; a runtime
     * that wrote no row) is rebuilt. So is any index once a later archive replaced a proof file: a
     * proof changed in place, whose row a delta (rows added above the base's head) does not carry.
     * With --verify, the receipt verifier then also compares every row with its file and checks every
     * signature.
     */
    private static String receiptIndexProblem(RestoreJob job, RuntimeLayout staged) throws IOException {
        if (job.proofFilesReplaced > 0) {
            return job.proofFilesReplaced + " proof " + (job.proofFilesReplaced == 1 ? "file" : "files")
                    + " changed since the full (replaced by later archives)";
        }
        return ReceiptIndexCoverage.difference(staged);
    }

    private static long missingNonces(RuntimeLayout staged) throws RestoreException {
        try {
            return NonceCoverage.missingInStaged(staged);
        } catch (SQLException e) {
            throw new RestoreException("restored federation databases unreadable: " + e.getMessage());
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
