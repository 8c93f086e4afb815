package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.verify.CheckResult;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernanceReport;
import io.qontrek.factorydr.verify.DigestVerifier;
import io.qontrek.factorydr.verify.FederationVerifier;
import io.qontrek.factorydr.verify.ProofChainVerifier;
import io.qontrek.factorydr.verify.ReceiptVerifier;
import io.qontrek.factorydr.verify.RuntimeWhole;
import io.qontrek.factorydr.verify.Verification;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything that must hold before a runtime leaves panic mode (the runbook's "Verify recovery"):
 * the runtime's integrity, in the order the checks run: every verifier, the databases' integrity,
 * the chains still holding the newest backup's heads. The backup posture ({@link #posture}) is
 * judged beside them, recorded and printed, and never blocks: production must be able to leave
 * panic mode while its backup store is down (the runbook checks governance after recovery).
 */
public final class RecoveryChecks {
    public static final String PROOFS = ProofChainVerifier.NAME;
    public static final String DIGESTS = DigestVerifier.NAME;
    public static final String RECEIPTS = ReceiptVerifier.NAME;
    public static final String FEDERATION = FederationVerifier.NAME;
    public static final String FEDERATION_PROBE = FederationVerifier.PROBE_NAME;
    public static final String DATABASES = RuntimeWhole.Part.DATABASES.verdictName;
    public static final String BACKUP_HEADS = "backup-heads";

    /**
     * The governance gates about the backups, not the runtime: a recovery point within the RPO, a
     * recent full backup, offsite copies, a recent passed drill. Not the panic gate (recovering is
     * what clears the flag), and not the catalog's record of the last verification or proof chain
     * check: recovery runs the verifiers themselves, now.
     */
    public static final List<String> POSTURE_GATES = List.of(Gates.RPO, Gates.FULL, Gates.OFFSITE, Gates.DRILL);

    private RecoveryChecks() {}

    /**
     * What `panic verify` and `panic recover` require, the runtime's integrity: the runtime whole
     * ({@link RuntimeWhole}: every verifier, the federation probe, each database's integrity_check),
     * then the chains still holding the newest backup's heads. Never throws: a check that cannot run
     * is a failed verdict naming it, never a pass.
     */
    public static PanicReport integrity(RecoveryTarget t) {
        List<CheckResult> results = new ArrayList<>();
        try {
            for (Verification v : RuntimeWhole.verify(t.layout(), t.towerSecret(), RuntimeWhole.ALL)) results.add(CheckResult.of(v));
        } catch (IOException | RuntimeException e) {
            results.add(CheckResult.failed("runtime", couldNotRun(e)));
        }
        try {
            results.add(backupHeads(t));
        } catch (Exception e) {
            results.add(CheckResult.failed(BACKUP_HEADS, couldNotRun(e)));
        }
        return new PanicReport(results);
    }

    private static String couldNotRun(Exception e) {
        String m = e.getMessage();
        return "the check could not run: " + (m == null ? e.getClass().getSimpleName() : m.replace('\n', ' '));
    }

    /**
     * The {@link #POSTURE_GATES}' verdicts, one per gate; never throws: gates that cannot be
     * evaluated (an unreadable catalog) are one failed verdict saying why.
     */
    public static List<CheckResult> posture(RecoveryTarget t) {
        try {
            if (t.policy() == null) throw new IllegalStateException("no governance policy given");
            GovernanceReport report = Gates.evaluate(t.layout(), t.catalog(), t.policy(), t.signingSecret(), t.now());
            return POSTURE_GATES.stream().map(name -> report.gate(name).map(g -> new CheckResult(g.name(), g.pass(), g.detail()))
                    .orElse(CheckResult.failed(name, "not evaluated"))).toList();
        } catch (RuntimeException e) {
            String m = e.getMessage();
            return List.of(CheckResult.failed("governance", "the backup posture gates could not be evaluated: "
                    + (m == null ? e.getClass().getSimpleName() : m.replace('\n', ' '))));
        }
    }

    /**
     * The runtime's chains still hold the newest backup's heads: the proof at the catalogued proof
     * head's seq has that merkle_root, the ledger entry at the catalogued ledger head's seq has that
     * entry_hash. Catches a runtime rolled back behind its backups or forked from them.
     */
    static CheckResult backupHeads(RecoveryTarget t) throws Exception {
        List<CatalogEntry> archives = t.catalog().archives();
        Optional<CatalogEntry> proofHead = archives.stream().filter(e -> e.proofHeadSeq() != null).reduce((a, b) -> b);
        Optional<CatalogEntry> ledgerHead = archives.stream().filter(e -> e.ledgerHeadSeq() != null).reduce((a, b) -> b);
        if (proofHead.isEmpty() && ledgerHead.isEmpty()) {
            return CheckResult.passed(BACKUP_HEADS, "no backup in the catalog to compare the chains with");
        }
        List<String> problems = new ArrayList<>();
        List<String> held = new ArrayList<>();
        if (proofHead.isPresent()) {
            CatalogEntry e = proofHead.get();
            var p = ChainHeads.proofAt(t.layout(), e.proofHeadSeq());
            if (p.isEmpty()) {
                problems.add("proof seq " + e.proofHeadSeq() + " of backup " + e.backupId() + " is missing from the runtime");
            } else if (!p.get().merkleRoot().equals(e.proofHeadRoot())) {
                problems.add("proof seq " + e.proofHeadSeq() + " has merkle_root " + p.get().merkleRoot() + ", backup "
                        + e.backupId() + " recorded " + e.proofHeadRoot());
            } else {
                held.add("proof seq " + e.proofHeadSeq() + " of " + e.backupId());
            }
        }
        if (ledgerHead.isPresent()) {
            CatalogEntry e = ledgerHead.get();
            var l = ChainHeads.ledgerAt(t.layout(), e.ledgerHeadSeq());
            if (e.ledgerHeadSeq() == 0) {
                held.add("empty ledger of " + e.backupId());
            } else if (l.isEmpty()) {
                problems.add("ledger seq " + e.ledgerHeadSeq() + " of backup " + e.backupId() + " is missing from the runtime");
            } else if (!l.get().entryHash().equals(e.ledgerHeadHash())) {
                problems.add("ledger seq " + e.ledgerHeadSeq() + " has entry_hash " + l.get().entryHash() + ", backup "
                        + e.backupId() + " recorded " + e.ledgerHeadHash());
            } else {
                held.add("ledger seq " + e.ledgerHeadSeq() + " of " + e.backupId());
            }
        }
        return problems.isEmpty()
                ? CheckResult.passed(BACKUP_HEADS, "the chains hold the newest backup heads: " + String.join(", ", held))
                : CheckResult.failed(BACKUP_HEADS, String.join("; ", problems));
    }
}
