package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.common.Hashes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A table's head ({@link Manifest.TableHead}): its highest rowid, its row count, and the SHA-256 of
 * the row at that rowid. What an incremental records so that the next one can take only the rows
 * above it, and can tell that the table changed below it instead: fewer rows up to that rowid, or
 * another row there. The row hash covers every column in table order, each rendered by SQLite's
 * {@code quote()} and joined by ',', so that it is the same for the same values whatever the file.
 * Every query here reads one row, but for SQLite's {@code count(*)}, which walks the table's pages: one
 * count per incremental, of the rows up to the base's head (about 0.1 s per million ledger rows in
 * the page cache, 1.6 s from disk for a 346 MB ledger of a million rows).
 */
public final class TableHeads {
    private TableHeads() {}

    /** The head of {@code table} as {@code c} sees it (inside the caller's transaction, if any). */
    public static Manifest.TableHead of(Connection c, String table) throws SQLException {
        long rowid;
        long rows;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(rowid), 0), count(*) FROM " + identifier(table))) {
            rs.next();
            rowid = rs.getLong(1);
            rows = rs.getLong(2);
        }
        return rows == 0 ? Manifest.TableHead.EMPTY : new Manifest.TableHead(rowid, rows, rowSha256(c, table, rowid));
    }

    /**
     * The head of a table known to hold {@code base}'s rows and {@code added} rows above its rowid
     * (read in the same transaction): its rows are counted without another scan of the table.
     */
    public static Manifest.TableHead above(Connection c, String table, Manifest.TableHead base, long added) throws SQLException {
        if (added == 0) return base;
        long rowid;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(rowid) FROM " + identifier(table))) {
            rs.next();
            rowid = rs.getLong(1);
        }
        return new Manifest.TableHead(rowid, base.rows() + added, rowSha256(c, table, rowid));
    }

    /**
     * Why {@code table} is not {@code base} plus rows appended above it, or null when it is: the rows
     * up to the base's rowid are as many as then, and the row at that rowid is the same.
     */
    public static String changedBelow(Connection c, String table, Manifest.TableHead base) throws SQLException {
        // all rows less those above the base's head: SQLite counts a whole table from its pages' headers
        // (the smallest index's), without reading a row, where "rowid <= ?" steps through every row up to
        // the head: a million-row ledger took a second, most of an incremental
        long all;
        long above;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + identifier(table))) {
            rs.next();
            all = rs.getLong(1);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + identifier(table) + " WHERE rowid > ?")) {
            ps.setLong(1, base.rowid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                above = rs.getLong(1);
            }
        }
        long upTo = all - above;
        if (upTo != base.rows()) {
            return table + " holds " + upTo + " rows up to rowid " + base.rowid() + " where its base held " + base.rows();
        }
        if (base.rows() > 0 && !base.lastRowSha256().equals(rowSha256(c, table, base.rowid()))) {
            return table + "'s row at rowid " + base.rowid() + " (its base's head) was rewritten";
        }
        return null;
    }

    /** The SHA-256 of the row at {@code rowid}, null when there is none. */
    public static String rowSha256(Connection c, String table, long rowid) throws SQLException {
        StringBuilder expr = new StringBuilder();
        for (String col : columns(c, table)) {
            if (expr.length() > 0) expr.append(" || ',' || ");
            expr.append("quote(").append(identifier(col)).append(')');
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + expr + " FROM " + identifier(table) + " WHERE rowid = ?")) {
            ps.setLong(1, rowid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Hashes.sha256Hex(rs.getString(1)) : null;
            }
        }
    }

    /** The table's columns in table order; refuses a table that does not exist. */
    public static List<String> columns(Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + identifier(table) + ")")) {
            while (rs.next()) out.add(rs.getString("name"));
        }
        if (out.isEmpty()) throw new SQLException("no table " + table);
        return out;
    }

    /** A quoted SQL identifier. */
    public static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
