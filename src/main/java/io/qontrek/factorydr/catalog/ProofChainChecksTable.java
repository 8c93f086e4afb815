package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.catalog.Catalog.CatalogException;
import io.qontrek.factorydr.catalog.Catalog.ProofChainCheck;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * One row per proof chain verdict of a verify flow, so that the proof-chain gate reads the newest
 * one instead of listing proof/. Created by its first write rather than with the base tables
 * ({@link CatalogDb}): a catalog written before this table existed reads as having no checks, even
 * where it cannot be written, and gains the table the first time a verification records one.
 */
final class ProofChainChecksTable {
    private static final String PROOF_CHAIN_CHECKS = """
            CREATE TABLE IF NOT EXISTS proof_chain_checks (
              id          INTEGER PRIMARY KEY,
              flow        TEXT NOT NULL,
              checked_at  TEXT NOT NULL,
              passed      INTEGER NOT NULL,
              range_from  TEXT,
              range_to    TEXT,
              proof_files INTEGER NOT NULL,
              first_seq   INTEGER,
              last_seq    INTEGER,
              head_seq    INTEGER,
              head_root   TEXT,
              detail      TEXT
            )""";

    private final CatalogDb db;

    ProofChainChecksTable(CatalogDb db) {
        this.db = db;
    }

    void recordProofChainCheck(ProofChainCheck k) {
        try (Connection c = db.open()) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate(PROOF_CHAIN_CHECKS);
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO proof_chain_checks (flow, checked_at, passed, range_from, range_to, proof_files,
                      first_seq, last_seq, head_seq, head_root, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)""")) {
                ps.setString(1, k.flow());
                ps.setString(2, k.checkedAt());
                ps.setInt(3, k.passed() ? 1 : 0);
                ps.setString(4, k.rangeFrom());
                ps.setString(5, k.rangeTo());
                ps.setLong(6, k.proofFiles());
                CatalogDb.setLong(ps, 7, k.firstSeq());
                CatalogDb.setLong(ps, 8, k.lastSeq());
                CatalogDb.setLong(ps, 9, k.headSeq());
                ps.setString(10, k.headRoot());
                ps.setString(11, k.detail());
                ps.executeUpdate();
            }
        } catch (SQLException ex) {
            throw new CatalogException("cannot record a proof chain check of " + k.flow() + " in the catalog " + db.file + ": "
                    + ex.getMessage(), ex);
        }
    }

    Optional<ProofChainCheck> newestProofChainEvidence() {
        if (!db.exists()) return Optional.empty();
        try (Connection c = db.open(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'proof_chain_checks'")) {
                if (!rs.next()) return Optional.empty();
            }
            try (ResultSet rs = s.executeQuery("""
                    SELECT flow, checked_at, passed, range_from, range_to, proof_files, first_seq, last_seq, head_seq,
                      head_root, detail FROM proof_chain_checks
                    WHERE (range_from IS NULL AND range_to IS NULL) OR passed = 0 ORDER BY id DESC LIMIT 1""")) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new ProofChainCheck(rs.getString("flow"), rs.getString("checked_at"), rs.getInt("passed") == 1,
                        rs.getString("range_from"), rs.getString("range_to"), rs.getLong("proof_files"), CatalogDb.getLong(rs, "first_seq"),
                        CatalogDb.getLong(rs, "last_seq"), CatalogDb.getLong(rs, "head_seq"), rs.getString("head_root"), rs.getString("detail")));
            }
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }
}
