package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

/**
 * What the live runtime writes to its databases between backups, done to a test runtime the way the
 * runtime does it: each federation batch records its nonce, then appends its ledger entry, chained
 * to the head; a receipt row per new proof.
 */
public final class FederationWrites {
    private FederationWrites() {}

    /** Appends {@code n} chained ledger entries, each nonce recorded first; returns the new head seq. */
    public static long appendBatches(Path dataDir, int n, String tag) throws Exception {
        try (Connection ledger = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("federation_ledger.db"));
                Connection nonces = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("nonce_store.db"))) {
            long seq;
            String prev;
            try (Statement s = ledger.createStatement();
                    ResultSet rs = s.executeQuery("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
                seq = rs.next() ? rs.getLong(1) : 0;
                prev = seq == 0 ? Hex.ZERO : rs.getString(2);
            }
            for (int i = 0; i < n; i++) {
                seq++;
                String nonce = "nonce-" + tag + "-" + seq;
                String at = Instant.now().toString();
                try (PreparedStatement ps = nonces.prepareStatement("INSERT INTO nonces (nonce, peer, first_seen) VALUES (?,?,?)")) {
                    ps.setString(1, nonce);
                    ps.setString(2, "peer-" + tag);
                    ps.setString(3, at);
                    ps.executeUpdate();
                }
                LedgerEntry e = LedgerEntry.chained(prev, seq, "batch-" + tag + "-" + seq, "peer-" + tag, nonce,
                        Hashes.sha256Hex("payload " + tag + " " + seq), at);
                try (PreparedStatement ps = ledger.prepareStatement(LedgerEntry.INSERT)) {
                    e.bind(ps);
                    ps.executeUpdate();
                }
                prev = e.entryHash();
            }
            return seq;
        }
    }

    /** Adds one receipt row (a receipt index entry for a proof named by {@code proofId}). */
    public static void addReceipt(Path dataDir, String proofId, long seq) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("receipts.db"));
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO receipts (proof_id, seq, merkle_root, signature, issued_at, file) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, proofId);
            ps.setLong(2, seq);
            ps.setString(3, Hashes.sha256Hex("root " + proofId));
            ps.setString(4, Hashes.sha256Hex("signature " + proofId));
            ps.setString(5, Instant.now().toString());
            ps.setString(6, "proof-" + proofId + ".json");
            ps.executeUpdate();
        }
    }

    /** Runs one statement on a database under dataDir (a rewrite an operator or a bug might do). */
    public static int execute(Path dataDir, String db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(db)); Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    /** One number a query answers. */
    public static long count(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
