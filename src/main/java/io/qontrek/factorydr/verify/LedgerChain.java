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
 * given the nonce store, each nonce present in it. Shared by the verifier and the probe.
 *
 * <p>The walk reads in chunks of {@link #CHUNK_ROWS}, each its own statement, so on an auto-commit
 * connection no read transaction spans the walk: in rollback-journal mode a long read would hold off
 * every writer of the runtime's ledger until it ended. The ledger is append-only, so a walk that
 * resumes after the last seq it saw is the same walk.
 */
final class LedgerChain {
    /** About a tenth of a second of reading: the longest a writer waits behind the walk. */
    static final int CHUNK_ROWS = 20_000;

    private LedgerChain() {}

    /** Reports into {@code findings} (one checked item per row) and returns the head as read. */
    static LedgerHead check(Connection ledger, Connection nonces, Findings findings) throws SQLException {
        return checkAbove(ledger, nonces, new LedgerHead(0, Hex.ZERO), findings, () -> {});
    }

    /**
     * The rows above {@code from}, a head already walked (seq 0 for the whole ledger), each linked to the
     * one before; {@code betweenChunks} runs when no statement is open (the probe's tests use it).
     */
    static LedgerHead checkAbove(Connection ledger, Connection nonces, LedgerHead from, Findings findings,
            Runnable betweenChunks) throws SQLException {
        long expected = from.seq() + 1;
        String prevHash = from.entryHash();
        boolean linked = true;          // false after a gap: the next row cannot be linked to a missing one
        LedgerHead head = from;
        try (PreparedStatement chunk = ledger.prepareStatement(
                     "SELECT " + LedgerEntry.COLUMNS + " FROM ledger WHERE seq > ? ORDER BY seq LIMIT " + CHUNK_ROWS);
             PreparedStatement lookup = nonces == null ? null
                     : nonces.prepareStatement("SELECT 1 FROM nonces WHERE nonce = ?")) {
            while (true) {
                int rows = 0;
                chunk.setLong(1, head.seq());
                try (ResultSet rs = chunk.executeQuery()) {
                    while (rs.next()) {
                        rows++;
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
                if (rows < CHUNK_ROWS) {
                    return head;
                }
                betweenChunks.run();
            }
        }
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
