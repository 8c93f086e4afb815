package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether the receipt index has one row for each proof file of the proof directory and no other,
 * compared by file name. The cheap half of {@link ReceiptVerifier}: no proof file is read and no
 * HMAC computed. A restore that stages the receipt index and the proof files of one and the same
 * full backup uses it to decide whether the index must be rebuilt; that the rows' contents match
 * the files is what {@code --verify} adds.
 */
public final class ReceiptIndexCoverage {
    private ReceiptIndexCoverage() {}

    /** Null when the index names exactly the proof files; otherwise what differs, in one line. */
    public static String difference(RuntimeLayout layout) throws IOException {
        ProofDirectory proofs = ProofDirectory.list(layout.proofDir());
        Set<String> indexed = new HashSet<>();
        long rows = 0;
        try (Connection db = Sqlite.openReadOnly(layout.receiptsDb());
             Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT file FROM receipts")) {
            while (rs.next()) {
                indexed.add(rs.getString(1));
                rows++;
            }
        } catch (SQLException e) {
            return "receipt index unreadable: " + ProofChainVerifier.oneLine(e);
        }
        int found = 0;
        for (long seq : proofs.seqs()) {
            String name = ProofDirectory.fileName(seq);
            if (!indexed.contains(name)) return "no receipt row for " + name;
            found++;
        }
        long extra = rows - found;
        return extra == 0 ? null
                : "receipt index has " + extra + (extra == 1 ? " row" : " rows") + " more than there are proof files";
    }
}
