package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime keeps writing while `backup full` runs: the archived ledger is complete up to one
 * point in time, its hash chain intact, and every nonce it holds is in the archived nonce store;
 * a service log appended to meanwhile is archived as a consistent prefix.
 */
class BackupWhileLedgerWritesTest {
    @TempDir Path tmp;

    @Test
    void archivedLedgerIsOnePointInTimeWithAnIntactChain() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(200).days(2).ledgerRows(20_000).logMb(8)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Path ledger = root.resolve("data/federation_ledger.db");
        Path nonces = root.resolve("data/nonce_store.db");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong appended = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection l = DriverManager.getConnection("jdbc:sqlite:" + ledger + "?busy_timeout=20000");
                    Connection n = DriverManager.getConnection("jdbc:sqlite:" + nonces + "?busy_timeout=20000")) {
                while (!stop.get()) {
                    appendBatch(l, n, appended.incrementAndGet());
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        });
        Path liveLog = root.resolve("logs/busy-service.log");
        Thread logger = new Thread(() -> {
            try (var out = Files.newBufferedWriter(liveLog)) {
                for (long i = 0; !stop.get(); i++) {
                    out.write("2025-10-23T14:00:00Z INFO request " + i + " served\n");
                    if (i % 50 == 0) {
                        out.flush();
                        Thread.sleep(2); // a busy service, not a disk filler
                    }
                }
            } catch (Exception e) {
                writerFailure.set(e);
            }
        });
        writer.start();
        logger.start();
        while (appended.get() < 20 && writerFailure.get() == null) Thread.onSpinWait();
        Cli.Result r = Cli.run(Cli.env(tmp), "backup", "full", "--root=" + root);
        long appendedDuringBackup = appended.get();
        stop.set(true);
        writer.join();
        logger.join();
        assertThat(writerFailure.get()).isNull();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(appendedDuringBackup).isGreaterThan(20);

        Path archive;
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            archive = s.filter(p -> p.toString().endsWith(".enc")).findFirst().orElseThrow();
        }
        Path out = Files.createDirectories(tmp.resolve("out"));
        Cli.Result x = Cli.sh(out, Map.of("K", Cli.ARCHIVE_KEY),
                "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '" + archive + "' | tar -xzf - data logs");
        assertThat(x.exit()).as(x.toString()).isZero();

        byte[] archivedLog = Files.readAllBytes(out.resolve("logs/busy-service.log"));
        byte[] finalLog = Files.readAllBytes(liveLog);
        assertThat(archivedLog.length).isPositive().isLessThanOrEqualTo(finalLog.length);
        assertThat(java.util.Arrays.copyOf(finalLog, archivedLog.length)).isEqualTo(archivedLog);

        Set<String> archivedNonces = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out.resolve("data/nonce_store.db"));
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT nonce FROM nonces")) {
            while (rs.next()) archivedNonces.add(rs.getString(1));
        }
        long rows = 0;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out.resolve("data/federation_ledger.db"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, batch_id, peer, nonce, payload_sha256, received_at, prev_hash, "
                        + "entry_hash FROM ledger ORDER BY seq")) {
            String prev = "0".repeat(64);
            while (rs.next()) {
                rows++;
                assertThat(rs.getLong(1)).isEqualTo(rows);
                assertThat(rs.getString(7)).as("prev_hash of seq %d", rows).isEqualTo(prev);
                String expected = sha256(prev + "|" + rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
                        + rs.getString(4) + "|" + rs.getString(5) + "|" + rs.getString(6));
                assertThat(rs.getString(8)).as("entry_hash of seq %d", rows).isEqualTo(expected);
                assertThat(archivedNonces).as("nonce of seq %d", rows).contains(rs.getString(4));
                prev = rs.getString(8);
            }
        }
        assertThat(rows).isGreaterThan(20_000); // the writer's rows up to the snapshot are there, whole
    }

    /** As the runtime does: nonce recorded first, then the ledger entry, each its own transaction. */
    private static void appendBatch(Connection ledger, Connection nonces, long n) throws Exception {
        String nonce = "concurrent-nonce-" + n;
        String at = Instant.now().toString();
        try (PreparedStatement ps = nonces.prepareStatement("INSERT INTO nonces (nonce, peer, first_seen) VALUES (?,?,?)")) {
            ps.setString(1, nonce);
            ps.setString(2, "peer-test");
            ps.setString(3, at);
            ps.executeUpdate();
        }
        long seq;
        String prev;
        try (Statement s = ledger.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
            rs.next();
            seq = rs.getLong(1) + 1;
            prev = rs.getString(2);
        }
        String batch = "batch-test-" + n;
        String payload = sha256("payload " + n);
        String hash = sha256(prev + "|" + seq + "|" + batch + "|peer-test|" + nonce + "|" + payload + "|" + at);
        try (PreparedStatement ps = ledger.prepareStatement("INSERT INTO ledger (seq, batch_id, peer, nonce, payload_sha256, "
                + "received_at, prev_hash, entry_hash) VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setLong(1, seq);
            ps.setString(2, batch);
            ps.setString(3, "peer-test");
            ps.setString(4, nonce);
            ps.setString(5, payload);
            ps.setString(6, at);
            ps.setString(7, prev);
            ps.setString(8, hash);
            ps.executeUpdate();
        }
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
