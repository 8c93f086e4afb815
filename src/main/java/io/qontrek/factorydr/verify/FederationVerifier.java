package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.LedgerHead;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The runbook's federation checks. {@link #verify} reads: the ledger's hash chain and that every
 * ledger nonce is in the nonce store (what anti-replay needs after a restore). {@link #probe} is
 * the post-recovery "send test batch" and "attempt replay": it writes, but only inside one
 * transaction per database that it always rolls back, so the runtime is left byte for byte as it was.
 */
public final class FederationVerifier {
    public static final String NAME = "federation";
    public static final String PROBE_NAME = "federation-probe";
    /** The peer name probe batches carry, so a probe that somehow committed is recognisable. */
    public static final String PROBE_PEER = "factory-dr-probe";

    private static final SecureRandom RANDOM = new SecureRandom();

    private FederationVerifier() {}

    public static Verification verify(RuntimeLayout layout) {
        Findings findings = new Findings(NAME);
        if (!databasesPresent(layout, findings)) {
            return findings.verdict("", "federation not verified");
        }
        LedgerHead head;
        try (Connection ledger = Sqlite.openReadOnly(layout.ledgerDb());
             Connection nonces = Sqlite.openReadOnly(layout.nonceStoreDb())) {
            head = LedgerChain.check(ledger, null, findings);
            NonceCoverage.report(layout, findings);
            findings.fact("nonce_rows", Sqlite.count(nonces, "nonces"));
        } catch (SQLException e) {
            findings.problem("federation databases unreadable: " + ProofChainVerifier.oneLine(e));
            return findings.verdict("", "federation not verified");
        }
        findings.fact("head_seq", head.seq());
        findings.fact("head_entry_hash", head.entryHash());
        return findings.verdict("ledger chain continuous: seq 1.." + head.seq() + ", every nonce in the nonce store",
                "federation not verified");
    }

    /**
     * Sends a test batch with a fresh nonce (recorded in the nonce store, chained to the ledger head,
     * the whole chain verified) and replays a nonce already in the store, which must be rejected; then
     * rolls both databases back. The chain is walked first on read-only connections; the write locks
     * are held only for what the runtime's writers could race with: the rows they added since the
     * walk, the test batch and the replay, a few milliseconds, never the walk of the ledger.
     */
    public static Verification probe(RuntimeLayout layout) {
        return probe(layout, () -> {});
    }

    /** {@code duringWalk} runs between chunks of the read-only walk, when the probe holds no lock. */
    static Verification probe(RuntimeLayout layout, Runnable duringWalk) {
        Findings findings = new Findings(PROBE_NAME);
        if (!databasesPresent(layout, findings)) {
            return findings.verdict("", "federation probe failed");
        }
        Findings chain = new Findings(NAME);
        LedgerHead walked;
        try (Connection ledger = Sqlite.openReadOnly(layout.ledgerDb());
             Connection nonces = Sqlite.openReadOnly(layout.nonceStoreDb())) {
            walked = LedgerChain.checkAbove(ledger, nonces, new LedgerHead(0, Hex.ZERO), chain, duringWalk);
        } catch (SQLException e) {
            findings.problem("federation databases unreadable: " + ProofChainVerifier.oneLine(e));
            return findings.verdict("", "federation probe failed");
        }
        String detail;
        LedgerHead before;
        try (Connection ledger = Sqlite.openForProbe(layout.ledgerDb());
             Connection nonces = Sqlite.openForProbe(layout.nonceStoreDb())) {
            try {
                before = LedgerChain.checkAbove(ledger, nonces, walked, chain, () -> {});
                detail = sendAndReplay(ledger, nonces, before, chain, findings);
            } finally {
                // Always: the probe must leave no trace, whatever it found.
                ledger.rollback();
                nonces.rollback();
            }
        } catch (SQLException e) {
            findings.problem("federation probe could not run: " + ProofChainVerifier.oneLine(e));
            return findings.verdict("", "federation probe failed");
        }
        try (Connection ledger = Sqlite.openReadOnly(layout.ledgerDb())) {
            LedgerHead after = LedgerChain.head(ledger);
            if (!after.equals(before)) {
                findings.problem("ledger head is seq " + after.seq() + " after the probe, was seq " + before.seq()
                        + ": the rollback did not take");
            }
        } catch (SQLException e) {
            findings.problem("ledger unreadable after the probe: " + ProofChainVerifier.oneLine(e));
        }
        return findings.verdict(detail, "federation probe failed");
    }

    /** Inside the probe's write transactions; {@code chain} holds the walk up to {@code head}. */
    private static String sendAndReplay(Connection ledger, Connection nonces, LedgerHead head, Findings chain,
            Findings findings) throws SQLException {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String fresh = randomNonce();
        BatchAcceptance.Outcome sent = BatchAcceptance.accept(ledger, nonces, new BatchAcceptance.Batch(
                "dr-probe-" + fresh, PROBE_PEER, fresh, Hashes.sha256Hex("factory-dr test batch " + fresh), now));
        findings.checked();
        if (!sent.accepted()) {
            findings.problem("test batch with a fresh nonce was rejected: " + sent.reason());
            return "";
        }
        if (sent.entry().seq() != head.seq() + 1) {
            findings.problem("test batch landed at seq " + sent.entry().seq() + ", expected seq " + (head.seq() + 1));
        }
        LedgerHead newHead = LedgerChain.checkAbove(ledger, nonces, head, chain, () -> {});
        for (String p : chain.verdict("", "").problems()) {
            findings.problem("ledger with the test batch: " + p);
        }
        if (!newHead.equals(new LedgerHead(sent.entry().seq(), sent.entry().entryHash()))) {
            findings.problem("test batch is not the ledger head after it was accepted");
        }

        // Replay the newest nonce the runtime accepted (the test batch's own when the ledger was empty).
        String replayed = head.seq() > 0 ? nonceAt(ledger, head.seq()) : fresh;
        String replayedFrom = head.seq() > 0 ? "seq " + head.seq() : "the test batch";
        BatchAcceptance.Outcome replay = BatchAcceptance.accept(ledger, nonces, new BatchAcceptance.Batch(
                "dr-replay-" + randomNonce(), PROBE_PEER, replayed, Hashes.sha256Hex("factory-dr replay"), now));
        findings.checked();
        if (replay.accepted()) {
            findings.problem("replay of the nonce of " + replayedFrom + " was accepted at seq " + replay.entry().seq()
                    + ": anti-replay is not enforced");
        } else if (!LedgerChain.head(ledger).equals(newHead)) {
            findings.problem("replay was rejected but the ledger changed");
        }
        findings.fact("test_batch_seq", sent.entry().seq());
        findings.fact("replayed_nonce_of", replayedFrom);
        return "test batch accepted at seq " + sent.entry().seq() + " and chained; replay of the nonce of "
                + replayedFrom + " rejected (" + replay.reason() + "); both rolled back";
    }

    private static String nonceAt(Connection ledger, long seq) throws SQLException {
        try (var s = ledger.prepareStatement("SELECT nonce FROM ledger WHERE seq = ?")) {
            s.setLong(1, seq);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static boolean databasesPresent(RuntimeLayout layout, Findings findings) {
        boolean ok = true;
        if (!Files.isRegularFile(layout.ledgerDb())) {
            findings.problem("federation_ledger.db missing: " + layout.ledgerDb());
            ok = false;
        }
        if (!Files.isRegularFile(layout.nonceStoreDb())) {
            findings.problem("nonce_store.db missing: " + layout.nonceStoreDb());
            ok = false;
        }
        return ok;
    }

    private static String randomNonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Hex.encode(b);
    }
}
