package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSnapshotTest {
    @TempDir Path dir;

    @Test
    void snapshotOfAWalDatabaseUnderConstantWritesIsOnePointInTime() throws Exception {
        Path live = dir.resolve("live.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live + "?busy_timeout=10000");
                    PreparedStatement ps = c.prepareStatement("INSERT INTO t (seq, v) VALUES (?, ?)")) {
                for (long i = 1; !stop.get(); i++) {
                    ps.setLong(1, i);
                    ps.setString(2, "row-" + i);
                    ps.executeUpdate(); // autocommit: each row its own transaction, as a live runtime
                    written.set(i);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        while (written.get() < 500) Thread.onSpinWait();
        long before = written.get();
        Path snap = SqliteSnapshot.take(live, dir.resolve("snap.db"), 30);
        long after = written.get();
        stop.set(true);
        writer.join();

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + snap); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), min(seq), max(seq) FROM t")) {
            rs.next();
            long count = rs.getLong(1);
            assertThat(rs.getLong(2)).isEqualTo(1);
            assertThat(rs.getLong(3)).isEqualTo(count); // contiguous: nothing half-seen
            assertThat(count).isBetween(before, after + 1);
        }
        assertThat(SqliteSnapshot.integrityCheck(snap)).isEqualTo("ok");
        assertThat(Files.exists(dir.resolve("snap.db-wal"))).isFalse();
    }

    @Test
    void missingDatabaseAndExistingTargetAreRefused() throws Exception {
        assertThatThrownBy(() -> SqliteSnapshot.take(dir.resolve("none.db"), dir.resolve("s.db"), 1))
                .hasMessageContaining("none.db is missing");
        Path live = dir.resolve("x.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (a)");
        }
        Files.writeString(dir.resolve("taken.db"), "x");
        assertThatThrownBy(() -> SqliteSnapshot.take(live, dir.resolve("taken.db"), 1)).hasMessageContaining("already exists");
    }
}
