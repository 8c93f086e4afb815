package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.common.Hashes;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row of {@code ledger} in {@code data/federation_ledger.db}: a federation batch received from a
 * peer, hash-chained to the row before (seq 1 to ZERO) so that a lost, reordered or edited row shows.
 */
public record LedgerEntry(
        long seq,
        String batchId,
        String peer,
        String nonce,
        String payloadSha256,
        String receivedAt,
        String prevHash,
        String entryHash) {

    /** The columns in table order, for {@code SELECT} and {@code INSERT}. */
    public static final String COLUMNS =
            "seq, batch_id, peer, nonce, payload_sha256, received_at, prev_hash, entry_hash";

    /** {@code SHA-256(UTF-8(prev_hash|seq|batch_id|peer|nonce|payload_sha256|received_at))}, seq in decimal. */
    public static String entryHash(String prevHash, long seq, String batchId, String peer, String nonce,
                                   String payloadSha256, String receivedAt) {
        return Hashes.sha256Hex(prevHash + "|" + seq + "|" + batchId + "|" + peer + "|" + nonce
                + "|" + payloadSha256 + "|" + receivedAt);
    }

    /** The entry that follows {@code prevHash}, its entry_hash computed. */
    public static LedgerEntry chained(String prevHash, long seq, String batchId, String peer, String nonce,
                                      String payloadSha256, String receivedAt) {
        return new LedgerEntry(seq, batchId, peer, nonce, payloadSha256, receivedAt, prevHash,
                entryHash(prevHash, seq, batchId, peer, nonce, payloadSha256, receivedAt));
    }

    /** The insert {@link #bind} fills. */
    public static final String INSERT = "INSERT INTO ledger (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    /** Sets this entry as the parameters of an {@link #INSERT} statement: the mirror of {@link #fromRow}. */
    public void bind(java.sql.PreparedStatement insert) throws SQLException {
        insert.setLong(1, seq);
        insert.setString(2, batchId);
        insert.setString(3, peer);
        insert.setString(4, nonce);
        insert.setString(5, payloadSha256);
        insert.setString(6, receivedAt);
        insert.setString(7, prevHash);
        insert.setString(8, entryHash);
    }

    /** The row at the cursor of a {@code SELECT } {@link #COLUMNS} query. */
    public static LedgerEntry fromRow(ResultSet row) throws SQLException {
        // by position, in COLUMNS order: a lookup by name costs more than the read on a million rows
        return new LedgerEntry(row.getLong(1), row.getString(2), row.getString(3), row.getString(4),
                row.getString(5), row.getString(6), row.getString(7), row.getString(8));
    }

    public String computedEntryHash() {
        return entryHash(prevHash, seq, batchId, peer, nonce, payloadSha256, receivedAt);
    }
}
