package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.PrimitiveIterator;

/**
 * Whether the receipt index has one row for each proof file of the proof directory and no other,
 * compared by file name. The cheap half of {@link ReceiptVerifier}: no proof file is read and no
 * HMAC computed. A restore uses it on the staged index and proof files (a full's, with the rows and
 * proofs its incrementals added) to decide whether the index must be rebuilt; that the rows'
 * contents match the files is what {@code --verify} adds.
 */
public final class ReceiptIndexCoverage {
    private ReceiptIndexCoverage() {}

    /**
     * Null when the index names exactly the proof files; otherwise what differs, in one line. One
     * merge of two sorted streams, the rows' file names and the proof files', so that nothing per file
     * is kept: names in the order "shorter first, then byte by byte", which for proof-&lt;seq&gt;.json
     * (seq zero-padded to at least 12 digits) is the order of seq, in SQLite and here alike.
     */
    public static String difference(RuntimeLayout layout) throws IOException {
        ProofDirectory proofs = ProofDirectory.list(layout.proofDir());
        PrimitiveIterator.OfLong seqs = proofs.seqs();
        String next = seqs.hasNext() ? ProofDirectory.fileName(seqs.nextLong()) : null; // the next proof file not yet matched
        long extra = 0;
        try (Connection db = Sqlite.openReadOnly(layout.receiptsDb());
             Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT file FROM receipts ORDER BY length(CAST(file AS BLOB)), CAST(file AS BLOB)")) {
            while (rs.next()) {
                byte[] row = String.valueOf(rs.getString(1)).getBytes(StandardCharsets.UTF_8);
                int c = next != null ? compare(row, next.getBytes(StandardCharsets.US_ASCII)) : -1;
                if (c > 0) return "no receipt row for " + next;
                if (c == 0) next = seqs.hasNext() ? ProofDirectory.fileName(seqs.nextLong()) : null;
                else extra++; // a row for no proof file, or a second row for one
            }
        } catch (SQLException e) {
            return "receipt index unreadable: " + ProofChainVerifier.oneLine(e);
        }
        if (next != null) return "no receipt row for " + next;
        return extra == 0 ? null
                : "receipt index has " + extra + (extra == 1 ? " row" : " rows") + " more than there are proof files";
    }

    private static int compare(byte[] a, byte[] b) {
        return a.length != b.length ? Integer.compare(a.length, b.length) : Arrays.compareUnsigned(a, b);
    }
}
