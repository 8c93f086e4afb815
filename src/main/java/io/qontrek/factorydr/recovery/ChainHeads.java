package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.LedgerHead;
import io.qontrek.factorydr.runtime.ProofFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * The heads of a runtime's two chains, read without writing anything: the newest proof file (seq,
 * merkle_root, created_at) and the newest ledger entry (seq, entry_hash, received_at).
 */
public final class ChainHeads {
    private ChainHeads() {}

    /** The newest proof and when it was created. */
    public record Proof(long seq, String merkleRoot, String createdAt) {}

    /** The newest ledger entry and when it was received. */
    public record Ledger(long seq, String entryHash, String receivedAt) {
        public LedgerHead head() {
            return new LedgerHead(seq, entryHash);
        }
    }

    /** The proof file with the highest seq, or empty when the proof directory holds none. */
    public static Optional<Proof> proof(RuntimeLayout layout) throws IOException {
        if (!Files.isDirectory(layout.proofDir())) return Optional.empty();
        OptionalLong max;
        try (Stream<Path> s = Files.list(layout.proofDir())) {
            max = s.map(p -> ProofFile.seqOfFileName(p.getFileName().toString())).filter(OptionalLong::isPresent)
                    .mapToLong(OptionalLong::getAsLong).max();
        }
        if (max.isEmpty()) return Optional.empty();
        return proofAt(layout, max.getAsLong());
    }

    /** The proof file of one seq, or empty when there is none. */
    public static Optional<Proof> proofAt(RuntimeLayout layout, long seq) throws IOException {
        Path file = layout.proofDir().resolve(ProofFile.fileName(seq));
        if (!Files.isRegularFile(file)) return Optional.empty();
        ProofFile p = ProofFile.read(file);
        return Optional.of(new Proof(p.seq(), p.merkleRoot(), p.createdAt()));
    }

    /** The newest ledger entry, or empty when the ledger is empty or absent. */
    public static Optional<Ledger> ledger(RuntimeLayout layout) throws IOException {
        return queryLedger(layout, "SELECT seq, entry_hash, received_at FROM ledger ORDER BY seq DESC LIMIT 1", null);
    }

    /** The ledger entry of one seq, or empty. */
    public static Optional<Ledger> ledgerAt(RuntimeLayout layout, long seq) throws IOException {
        return queryLedger(layout, "SELECT seq, entry_hash, received_at FROM ledger WHERE seq = ?", seq);
    }

    private static Optional<Ledger> queryLedger(RuntimeLayout layout, String sql, Long seq) throws IOException {
        Path db = layout.ledgerDb();
        // never DriverManager on a missing path: SQLite would create an empty database there
        if (!Files.isRegularFile(db)) return Optional.empty();
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        try (Connection c = config.createConnection("jdbc:sqlite:" + db); PreparedStatement ps = c.prepareStatement(sql)) {
            if (seq != null) ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Ledger(rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the ledger " + db + ": " + e.getMessage(), e);
        }
    }
}
