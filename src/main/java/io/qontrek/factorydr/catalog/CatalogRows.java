package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.catalog.Catalog.FlowRuns;
import io.qontrek.factorydr.catalog.Catalog.ProofChainCheck;
import io.qontrek.factorydr.catalog.Catalog.RunRow;
import io.qontrek.factorydr.catalog.Catalog.SizedRun;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteOpenMode;

/**
 * The catalog's rows as its records. A row is a column-name map, as camel-jdbc hands a query's
 * result to a route and as {@link #row} reads one from a ResultSet, so the API routes' queries and
 * {@link Catalog}'s own are mapped by the same code here.
 */
public final class CatalogRows {
    /** The busy timeout of a read: a backup's transaction holds the catalog for a moment. */
    static final int BUSY_TIMEOUT_MS = 30_000;

    private CatalogRows() {}

    /**
     * The catalog for reading only (SQLITE_OPEN_READONLY, never created): an HTTP request must leave
     * the archive directory as it found it. The catalog is not a WAL database (Catalog never asks for
     * one), so a read-only connection leaves no -wal or -shm file behind. Each connection is opened
     * per query and closed after it; the file may not exist yet when this is made.
     */
    public static DataSource readOnlyDataSource(Path catalogDb) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + catalogDb);
        return ds;
    }

    /**
     * The answers of the API route's queries (absent ones: nothing recorded), as {@link CatalogReads}.
     *
     * @param archives rows of {@code SELECT * FROM archives ORDER BY created_at, backup_id}
     * @param flowRuns rows of the newest run of each flow and outcome, with {@code runs}, their count
     * @param databases rows of {@code SELECT backup_id, name FROM database_heads}
     * @param proofChain rows of the newest whole-chain or failed proof_chain_checks row (at most one)
     */
    public static Snapshot snapshot(List<Map<String, Object>> archives, List<Map<String, Object>> flowRuns,
            List<Map<String, Object>> databases, List<Map<String, Object>> proofChain) {
        return new Snapshot(entries(orEmpty(archives)), flowRuns(orEmpty(flowRuns)), databases(orEmpty(databases)),
                orEmpty(proofChain).stream().findFirst().map(CatalogRows::proofChainCheck));
    }

    /** The catalog as a route read it: one query each, already run. */
    public record Snapshot(List<CatalogEntry> archives, Map<String, FlowRuns> flowRuns, Map<String, Set<String>> databasesRecorded,
                           Optional<ProofChainCheck> newestProofChainEvidence) implements CatalogReads {}

    /** A catalog that could not be read: every read throws, saying why (healthz reports it as its catalog check). */
    public static CatalogReads unreadable(String why) {
        return new CatalogReads() {
            private RuntimeException failure() {
                return new Catalog.CatalogException(why, null);
            }

            @Override
            public List<CatalogEntry> archives() {
                throw failure();
            }

            @Override
            public Map<String, FlowRuns> flowRuns() {
                throw failure();
            }

            @Override
            public Map<String, Set<String>> databasesRecorded() {
                throw failure();
            }

            @Override
            public Optional<ProofChainCheck> newestProofChainEvidence() {
                throw failure();
            }
        };
    }

    /** The current row of a ResultSet, by column label, as camel-jdbc gives it. */
    static Map<String, Object> row(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) row.put(meta.getColumnLabel(i), rs.getObject(i));
        return row;
    }

    static List<Map<String, Object>> rows(ResultSet rs) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) out.add(row(rs));
        return out;
    }

    public static List<CatalogEntry> entries(List<Map<String, Object>> rows) {
        List<CatalogEntry> out = new ArrayList<>(rows.size());
        for (Map<String, Object> r : rows) out.add(entry(r));
        return out;
    }

    static CatalogEntry entry(Map<String, Object> r) {
        return new CatalogEntry(text(r, "backup_id"), text(r, "type"), text(r, "name"), text(r, "created_at"), text(r, "base"),
                number(r, "size"), text(r, "sha256"), Math.toIntExact(number(r, "files")), number(r, "content_bytes"),
                nullableNumber(r, "proof_head_seq"), text(r, "proof_head_root"), nullableNumber(r, "ledger_head_seq"),
                text(r, "ledger_head_hash"), text(r, "verified_at"), text(r, "offsite_at"));
    }

    /**
     * Rows of the newest run of each (flow, outcome), each with {@code runs}, how many runs of the
     * flow ended that way: per flow, the counts, its newest run and its newest successful one ("ok"
     * or "nothing-to-do").
     */
    static Map<String, FlowRuns> flowRuns(List<Map<String, Object>> rows) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        Map<String, Map<String, Object>> last = new HashMap<>();
        Map<String, Map<String, Object>> lastOk = new HashMap<>();
        for (Map<String, Object> r : rows) {
            String flow = text(r, "flow");
            String outcome = text(r, "outcome");
            counts.computeIfAbsent(flow, f -> new TreeMap<>()).put(outcome, number(r, "runs"));
            last.merge(flow, r, CatalogRows::newer);
            if (outcome.equals("ok") || outcome.equals("nothing-to-do")) lastOk.merge(flow, r, CatalogRows::newer);
        }
        Map<String, FlowRuns> out = new TreeMap<>();
        for (var e : counts.entrySet()) {
            Map<String, Object> ok = lastOk.get(e.getKey());
            out.put(e.getKey(), new FlowRuns(e.getKey(), Collections.unmodifiableMap(e.getValue()), run(last.get(e.getKey())),
                    ok == null ? null : run(ok)));
        }
        return out;
    }

    private static Map<String, Object> newer(Map<String, Object> a, Map<String, Object> b) {
        return number(a, "id") >= number(b, "id") ? a : b;
    }

    static RunRow run(Map<String, Object> r) {
        return new RunRow(text(r, "flow"), text(r, "started_at"), text(r, "finished_at"), text(r, "outcome"), text(r, "backup_id"),
                text(r, "detail"));
    }

    /** Rows of runs, each with {@code size}, the size of the archive it wrote (null: none, or forgotten). */
    public static List<SizedRun> sizedRuns(List<Map<String, Object>> rows) {
        List<SizedRun> out = new ArrayList<>(orEmpty(rows).size());
        for (Map<String, Object> r : orEmpty(rows)) out.add(new SizedRun(run(r), nullableNumber(r, "size")));
        return out;
    }

    static Map<String, Set<String>> databases(List<Map<String, Object>> rows) {
        Map<String, Set<String>> out = new HashMap<>();
        for (Map<String, Object> r : rows) out.computeIfAbsent(text(r, "backup_id"), k -> new HashSet<>()).add(text(r, "name"));
        return out;
    }

    static ProofChainCheck proofChainCheck(Map<String, Object> r) {
        return new ProofChainCheck(text(r, "flow"), text(r, "checked_at"), number(r, "passed") == 1, text(r, "range_from"),
                text(r, "range_to"), number(r, "proof_files"), nullableNumber(r, "first_seq"), nullableNumber(r, "last_seq"),
                nullableNumber(r, "head_seq"), text(r, "head_root"), text(r, "detail"));
    }

    private static String text(Map<String, Object> r, String column) {
        Object v = value(r, column);
        return v == null ? null : v.toString();
    }

    private static long number(Map<String, Object> r, String column) {
        Long v = nullableNumber(r, column);
        if (v == null) throw new Catalog.CatalogException("catalog column " + column + " is null", null);
        return v;
    }

    /** SQLite hands an INTEGER back as an Integer or a Long, whichever holds it. */
    private static Long nullableNumber(Map<String, Object> r, String column) {
        Object v = value(r, column);
        return v == null ? null : ((Number) v).longValue();
    }

    private static Object value(Map<String, Object> r, String column) {
        if (!r.containsKey(column)) throw new Catalog.CatalogException("catalog query gave no column " + column, null);
        return r.get(column);
    }

    private static <T> List<T> orEmpty(List<T> rows) {
        return rows == null ? List.of() : rows;
    }
}
