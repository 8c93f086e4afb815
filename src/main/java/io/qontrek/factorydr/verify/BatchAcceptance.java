package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.runtime.LedgerEntry;
import io.qontrek.factorydr.runtime.LedgerHead;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Accepting a federation batch as the contract's anti-replay rule demands: its nonce is recorded in
 * the nonce store first, and the store's PRIMARY KEY refuses a nonce it already holds, so a replay is
 * rejected before anything reaches the ledger; an accepted batch is then chained to the ledger head.
 * The caller owns the transactions (the probe rolls them back).
 */
final class BatchAcceptance {
    private BatchAcceptance() {}

    record Batch(String batchId, String peer, String nonce, String payloadSha256, String receivedAt) {}

    /** Accepted at a ledger seq, or rejected with the reason. */
    record Outcome(boolean accepted, LedgerEntry entry, String reason) {}

    static Outcome accept(Connection ledger, Connection nonces, Batch b) throws SQLException {
        try (PreparedStatement insert = nonces.prepareStatement(
                "INSERT INTO nonces (nonce, peer, first_seen) VALUES (?, ?, ?)")) {
            insert.setString(1, b.nonce());
            insert.setString(2, b.peer());
            insert.setString(3, b.receivedAt());
            insert.executeUpdate();
        } catch (SQLiteException e) {
            if (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY) {
                return new Outcome(false, null, "nonce already in the nonce store");
            }
            throw e;
        }
        LedgerHead head = LedgerChain.head(ledger);
        LedgerEntry entry = LedgerEntry.chained(head.entryHash(), head.seq() + 1, b.batchId(), b.peer(), b.nonce(),
                b.payloadSha256(), b.receivedAt());
        try (PreparedStatement insert = ledger.prepareStatement(
                LedgerEntry.INSERT)) {
            entry.bind(insert);
            insert.executeUpdate();
        }
        return new Outcome(true, entry, null);
    }
}
