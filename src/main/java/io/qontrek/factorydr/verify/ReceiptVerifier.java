package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;

/**
 * The runbook's "verify Tower receipts": each proof's tower_receipt carries the Tower's HMAC over
 * {@code proof_id|merkle_root|issued_at}, and data/receipts.db holds exactly one matching row per
 * proof file.
 *
 * <p>Proof files and receipt rows are both walked in seq order and merged, so neither side is held
 * in memory. A failed signature names the seq, never the signature it should have had: that value
 * is a valid forgery for whoever reads the report.
 */
public final class ReceiptVerifier {
    public static final String NAME = "receipts";

    private final Findings findings = new Findings(NAME);
    private final Mac tower;
    private long verifiedSignatures;
    private long rows;

    private ReceiptVerifier(byte[] towerSecret) {
        this.tower = Hashes.hmacSha256(towerSecret);
    }

    /** {@code towerSecret}: UTF-8 of TOWER_SIGNING_SECRET; it is never part of the result. */
    public static Verification verify(RuntimeLayout layout, byte[] towerSecret) {
        if (towerSecret == null || towerSecret.length == 0) {
            throw new IllegalArgumentException("the tower secret is empty: set TOWER_SIGNING_SECRET");
        }
        return new ReceiptVerifier(towerSecret).run(layout);
    }

    /** One receipts.db row. */
    private record Row(String proofId, long seq, String merkleRoot, String signature, String issuedAt, String file) {}

    private Verification run(RuntimeLayout layout) {
        ProofDirectory dir = ProofDirectory.listOrReport(layout.proofDir(), findings);
        if (dir == null) return findings.verdict("", "tower receipts not verified");
        if (!Files.isRegularFile(layout.receiptsDb())) {
            findings.problem("receipts.db missing: " + layout.receiptsDb());
            checkSignatures(dir);
        } else {
            try (Connection db = Sqlite.openReadOnly(layout.receiptsDb());
                 PreparedStatement select = db.prepareStatement(
                         "SELECT proof_id, seq, merkle_root, signature, issued_at, file FROM receipts ORDER BY seq, proof_id");
                 ResultSet rs = select.executeQuery()) {
                merge(dir, rs);
            } catch (SQLException e) {
                findings.problem("receipts.db unreadable: " + ProofChainVerifier.oneLine(e));
            }
        }
        findings.fact("signatures_verified", verifiedSignatures);
        findings.fact("receipt_rows", rows);
        return findings.verdict(verifiedSignatures + " tower receipts verified; receipts.db agrees (" + rows + " rows)",
                "tower receipts not verified");
    }

    private void checkSignatures(ProofDirectory dir) {
        ProofFiles.forEach(dir, false, read -> {
            ProofRecord proof = proof(read);
            if (proof != null) checkSignature(read.seq(), proof);
        });
    }

    private void merge(ProofDirectory dir, ResultSet rs) throws SQLException {
        Row[] row = {next(rs)};
        ProofFiles.<SQLException>forEach(dir, false, read -> {
            long seq = read.seq();
            ProofRecord proof = proof(read);
            if (proof != null) checkSignature(seq, proof);
            while (row[0] != null && row[0].seq() < seq) {
                extra(row[0]);
                row[0] = next(rs);
            }
            if (row[0] != null && row[0].seq() == seq) {
                if (proof != null) compare(seq, proof, row[0]);
                for (row[0] = next(rs); row[0] != null && row[0].seq() == seq; row[0] = next(rs)) {
                    extra(row[0]);
                }
            } else {
                findings.problem("seq " + seq + ": no row in receipts.db");
            }
        });
        for (Row r = row[0]; r != null; r = next(rs)) {
            extra(r);
        }
    }

    /** The proof as read, or null with its problem reported. */
    private ProofRecord proof(ProofFiles.Read read) {
        findings.checked();
        if (read.failure() != null) {
            findings.problem(ProofChainVerifier.oneLine(read.failure()));
            return null;
        }
        return read.proof();
    }

    private void checkSignature(long seq, ProofRecord proof) {
        byte[] msg = (proof.proofId() + "|" + proof.merkleRoot() + "|" + proof.issuedAt()).getBytes(StandardCharsets.UTF_8);
        byte[] expected = tower.doFinal(msg);
        if (MessageDigest.isEqual(expected, Hex.decode(proof.signature()))) {
            verifiedSignatures++;
        } else {
            findings.problem("seq " + seq + ": tower_receipt signature does not verify (proof_id " + proof.proofId() + ")");
        }
    }

    private void compare(long seq, ProofRecord proof, Row row) {
        List<String> differ = new ArrayList<>();
        if (!row.proofId().equals(proof.proofId())) differ.add("proof_id");
        if (!row.merkleRoot().equals(proof.merkleRoot())) differ.add("merkle_root");
        if (!row.signature().equals(proof.signature())) differ.add("signature");
        if (!row.issuedAt().equals(proof.issuedAt())) differ.add("issued_at");
        if (!row.file().equals(ProofDirectory.fileName(seq))) differ.add("file");
        if (!differ.isEmpty()) {
            findings.problem("seq " + seq + ": receipts.db row differs from " + ProofDirectory.fileName(seq)
                    + " in " + String.join(", ", differ));
        }
    }

    private void extra(Row row) {
        findings.problem("receipts.db: extra row proof_id " + row.proofId() + " seq " + row.seq()
                + " (no proof file for it, or a second row for that seq)");
    }

    private Row next(ResultSet rs) throws SQLException {
        if (!rs.next()) return null;
        rows++;
        return new Row(nonNull(rs.getString(1)), rs.getLong(2), nonNull(rs.getString(3)), nonNull(rs.getString(4)),
                nonNull(rs.getString(5)), nonNull(rs.getString(6)));
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
