package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.RuntimeSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The runbook's "rebuild nonce store" and "rebuild receipt index": each database is derived again
 * from its source of truth (the ledger, the proof files), built beside the live one and swapped in
 * atomically (see {@link DatabaseSwap}), so a reader sees the old database or the new, never half.
 * A source that cannot be read fails the rebuild loudly and leaves the live database as it was.
 */
public final class Rebuild {
    private Rebuild() {}

    /** What a rebuild wrote: the database, its rows, and the source items they came from. */
    public record Rebuilt(Path database, long rows, long sourceItems) {}

    /**
     * data/nonce_store.db from the ledger: one row per distinct nonce, its peer and first_seen
     * (received_at) from the lowest seq carrying it. {@code sourceItems} counts ledger entries.
     */
    public static Rebuilt nonces(RuntimeLayout layout) throws IOException {
        Path live = layout.nonceStoreDb();
        if (!Files.isRegularFile(layout.ledgerDb())) {
            throw new IOException("cannot rebuild the nonce store: ledger " + layout.ledgerDb() + " is missing");
        }
        Path built = DatabaseSwap.temporaryFor(live);
        long entries = 0, rows = 0;
        try (Connection ledger = Sqlite.openReadOnly(layout.ledgerDb());
             Connection store = Sqlite.openForBuild(built)) {
            RuntimeSchemas.createNonces(store);
            try (Statement s = ledger.createStatement();
                 ResultSet rs = s.executeQuery("SELECT nonce, peer, received_at FROM ledger ORDER BY seq");
                 // Lowest seq first, so OR IGNORE keeps the earliest sighting of a repeated nonce.
                 PreparedStatement insert = store.prepareStatement(
                         "INSERT OR IGNORE INTO nonces (nonce, peer, first_seen) VALUES (?, ?, ?)")) {
                while (rs.next()) {
                    insert.setString(1, rs.getString(1));
                    insert.setString(2, rs.getString(2));
                    insert.setString(3, rs.getString(3));
                    rows += insert.executeUpdate();
                    entries++;
                }
            }
            store.commit();
        } catch (SQLException e) {
            DatabaseSwap.discard(built);
            throw new IOException("cannot rebuild the nonce store from " + layout.ledgerDb() + ": " + e.getMessage(), e);
        }
        DatabaseSwap.install(built, live, "nonces", rows);
        return new Rebuilt(live, rows, entries);
    }

    /**
     * data/receipts.db from the proof files: one row per proof file from its tower_receipt, file
     * being its path relative to the proof directory. {@code sourceItems} counts proof files.
     */
    public static Rebuilt receipts(RuntimeLayout layout) throws IOException {
        Path live = layout.receiptsDb();
        ProofDirectory dir = ProofDirectory.list(layout.proofDir());
        Path built = DatabaseSwap.temporaryFor(live);
        long[] rows = {0};
        try (Connection db = Sqlite.openForBuild(built)) {
            RuntimeSchemas.createReceipts(db);
            try (PreparedStatement insert = db.prepareStatement(
                    "INSERT INTO receipts (proof_id, seq, merkle_root, signature, issued_at, file) VALUES (?, ?, ?, ?, ?, ?)")) {
                ProofFiles.<Exception>forEach(dir, false, read -> {
                    long seq = read.seq();
                    String name = read.name();
                    if (read.failure() != null) throw read.failure();
                    ProofRecord proof = read.proof();
                    if (proof.seq() != seq) {
                        throw new IOException(name + ": seq field is " + proof.seq() + ", the file name says " + seq
                                + "; not indexing a misfiled proof");
                    }
                    insert.setString(1, proof.proofId());
                    insert.setLong(2, proof.seq());
                    insert.setString(3, proof.merkleRoot());
                    insert.setString(4, proof.signature());
                    insert.setString(5, proof.issuedAt());
                    insert.setString(6, name);
                    insert.addBatch();
                    if (++rows[0] % 5_000 == 0) {
                        insert.executeBatch();
                    }
                });
                insert.executeBatch();
            } catch (IOException | SQLException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            db.commit();
        } catch (SQLException e) {
            DatabaseSwap.discard(built);
            throw new IOException("cannot rebuild the receipt index: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            DatabaseSwap.discard(built);
            throw e;
        }
        DatabaseSwap.install(built, live, "receipts", rows[0]);
        return new Rebuilt(live, rows[0], dir.count());
    }
}
