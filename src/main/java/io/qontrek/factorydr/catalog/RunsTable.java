package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.catalog.Catalog.CatalogException;
import io.qontrek.factorydr.catalog.Catalog.FlowRuns;
import io.qontrek.factorydr.catalog.Catalog.RunRow;
import io.qontrek.factorydr.catalog.Catalog.SizedRun;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The runs table: one row per run of a flow, whatever its outcome; history, never forgotten with an archive. */
final class RunsTable {
    private final CatalogDb db;

    RunsTable(CatalogDb db) {
        this.db = db;
    }

    void recordRun(String flow, String startedAt, String finishedAt, String outcome, String backupId, String detail) {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO runs (flow, started_at, finished_at, outcome, backup_id, detail) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, flow);
            ps.setString(2, startedAt);
            ps.setString(3, finishedAt);
            ps.setString(4, outcome);
            ps.setString(5, backupId);
            ps.setString(6, detail);
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw new CatalogException("cannot record a run of " + flow + " in the catalog " + db.file + ": " + ex.getMessage(), ex);
        }
    }

    List<RunRow> runs(String flow) {
        if (!db.exists()) return List.of();
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT flow, started_at, finished_at, outcome, backup_id, detail FROM runs WHERE flow = ? ORDER BY id")) {
            ps.setString(1, flow);
            List<RunRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
            return out;
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }

    List<SizedRun> runsSince(List<String> flows, String since) {
        if (!db.exists() || flows.isEmpty()) return List.of();
        String marks = String.join(",", Collections.nCopies(flows.size(), "?"));
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement("SELECT r.flow, r.started_at, r.finished_at, r.outcome, "
                + "r.backup_id, r.detail, a.size FROM runs r LEFT JOIN archives a ON a.backup_id = r.backup_id "
                + "WHERE r.flow IN (" + marks + ") AND r.started_at >= ? ORDER BY r.started_at, r.id")) {
            int i = 1;
            for (String f : flows) ps.setString(i++, f);
            ps.setString(i, since);
            List<SizedRun> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RunRow run = new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6));
                    long size = rs.getLong(7);
                    out.add(new SizedRun(run, rs.wasNull() ? null : size));    // wasNull: of the column read last
                }
            }
            return out;
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }

    Map<String, FlowRuns> flowRuns() {
        Map<String, FlowRuns> out = new TreeMap<>();
        if (!db.exists()) return out;
        try (Connection c = db.open()) {
            Map<String, Map<String, Long>> counts = new TreeMap<>();
            Map<String, Long> lastId = new HashMap<>();
            Map<String, Long> lastOkId = new HashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT flow, outcome, count(*), max(id) FROM runs GROUP BY flow, outcome")) {
                while (rs.next()) {
                    String flow = rs.getString(1);
                    String outcome = rs.getString(2);
                    long id = rs.getLong(4);
                    counts.computeIfAbsent(flow, f -> new TreeMap<>()).put(outcome, rs.getLong(3));
                    lastId.merge(flow, id, Math::max);
                    if (outcome.equals("ok") || outcome.equals("nothing-to-do")) lastOkId.merge(flow, id, Math::max);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT flow, started_at, finished_at, outcome, backup_id, detail FROM runs WHERE id = ?")) {
                for (var e : counts.entrySet()) {
                    RunRow last = runById(ps, lastId.get(e.getKey()));
                    RunRow lastOk = lastOkId.containsKey(e.getKey()) ? runById(ps, lastOkId.get(e.getKey())) : null;
                    out.put(e.getKey(), new FlowRuns(e.getKey(), Collections.unmodifiableMap(e.getValue()), last, lastOk));
                }
            }
            return out;
        } catch (SQLException ex) {
            throw db.readFailure(ex);
        }
    }

    private static RunRow runById(PreparedStatement ps, long id) throws SQLException {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6));
        }
    }
}
