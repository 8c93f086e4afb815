package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.common.Hex;
import io.qontrek.factorydr.runtime.LedgerEntry;
import io.qontrek.factorydr.runtime.LedgerHead;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Walks the federation ledger in seq order on a given connection: seqs contiguous from 1, each
 * prev_hash the entry_hash of the row before (ZERO for seq 1), each entry_hash recomputing, and,
 * given the nonce store, each nonce present in it. Shared by the verifier and the probe, which runs
 * it inside its own uncommitted transaction.
 */
final class LedgerChain {
    private LedgerChain() {}

    /** Reports into {@code findings} (one checked item per row) and returns the head as read. */
    static LedgerHead check(Connection ledger, Connection nonces, Findings findings) throws SQLException {
        long expected = 1;
        String prevHash = Hex.ZERO;
        boolean linked = true;          // false after a gap: the next row cannot be linked to a missing one
        LedgerHead head = new LedgerHead(0, Hex.ZERO);
        try (Statement s = ledger.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + LedgerEntry.COLUMNS + " FROM ledger ORDER BY seq");
             PreparedStatement lookup = nonces == null ? null
                     : nonces.prepareStatement("SELECT 1 FROM nonces WHERE nonce = ?")) {
            while (rs.next()) {
                LedgerEntry e = LedgerEntry.fromRow(rs);
                findings.checked();
                long seq = e.seq();
                if (seq > expected) {
                    findings.problem(seq - 1 == expected ? "seq " + expected + " missing"
                            : "seq " + expected + ".." + (seq - 1) + " missing (" + (seq - expected) + " entries)");
                    linked = false;
                }
                if (seq == 1 && !Hex.ZERO.equals(e.prevHash())) {
                    findings.problem("seq 1: prev_hash is not ZERO");
                } else if (seq > 1 && linked && !prevHash.equals(e.prevHash())) {
                    findings.problem("seq " + seq + ": prev_hash does not match entry_hash of seq " + (seq - 1));
                }
                if (!e.computedEntryHash().equals(e.entryHash())) {
                    findings.problem("seq " + seq + ": entry_hash does not recompute (the row changed after it was chained)");
                }
                if (lookup != null && !inStore(lookup, e.nonce())) {
                    findings.problem("seq " + seq + ": nonce " + e.nonce() + " not in the nonce store");
                }
                prevHash = e.entryHash();
                expected = seq + 1;
                linked = true;
                head = new LedgerHead(seq, e.entryHash());
            }
        }
        return head;
    }

    static LedgerHead head(Connection ledger) throws SQLException {
        try (Statement s = ledger.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
            return rs.next() ? new LedgerHead(rs.getLong(1), rs.getString(2)) : new LedgerHead(0, Hex.ZERO);
        }
    }

    private static boolean inStore(PreparedStatement lookup, String nonce) throws SQLException {
        lookup.setString(1, nonce);
        try (ResultSet rs = lookup.executeQuery()) {
            return rs.next();
        }
    }
}
