package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runbook's disaster recovery drill and restores by date, through the CLI. */
class RestoreEndToEndTest {
    @TempDir Path tmp;

    @Test
    void theRunbooksDrillBringsEverythingBack() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(400).days(3).ledgerRows(3000).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(7200)).build(), null);
        Map<String, String> env = Cli.env(tmp);
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        RuntimeEdits.appendProofs(root, 7, Cli.TOWER_SECRET); // the hour after the full
        Thread.sleep(1100);
        assertThat(Cli.run(env, "backup", "incremental", "--root=" + root).exit()).isZero();
        Path before = tmp.resolve("before");
        copyTree(root.resolve("proof"), before.resolve("proof"));
        long ledgerRows = rows(root.resolve("data/federation_ledger.db"), "ledger");

        // Simulate disaster, as the runbook says
        Files.delete(root.resolve("data/federation_ledger.db"));
        try (Stream<Path> s = Files.list(root.resolve("proof"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".json")).toList()) Files.delete(p);
        }
        Files.writeString(root.resolve("data/ATLAS_PANIC"), "drill\n");

        Cli.Result r = Cli.runAsOperator(env, "restore", "--date=latest", "--verify", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("verify proofs: passed", "verify federation: passed", "verify receipts: passed",
                "verify digests: passed");

        // every proof byte-equal, the incremental's new ones included
        try (Stream<Path> s = Files.walk(before.resolve("proof"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path restored = root.resolve("proof").resolve(before.resolve("proof").relativize(p).toString());
                assertThat(Files.mismatch(p, restored)).as(restored.toString()).isEqualTo(-1L);
            }
        }
        assertThat(root.resolve("proof/proof-000000000406.json")).exists();
        // the ledger with its whole chain, and every ledger nonce in the nonce store
        assertThat(rows(root.resolve("data/federation_ledger.db"), "ledger")).isEqualTo(ledgerRows);
        assertLedgerChainAndNonces(root);
        // the panic flag is cleared by panic recovery, not by a restore
        assertThat(root.resolve("data/ATLAS_PANIC")).exists();
        assertThat(Cli.run(env, "verify", "receipts", "--root=" + root).exit()).isZero();
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".restore-"));
        }
    }

    @Test
    void aDateBetweenBackupsGivesThatDaysState() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(100).days(2).ledgerRows(100).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.parse("2025-10-20T12:00:00Z")).build(), null);
        Map<String, String> env = Cli.env(tmp);
        env.put("FACTORY_NOW", "2025-10-20T13:00:00Z");
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        List<String> day21 = RuntimeEdits.appendProofs(root, 3, Cli.TOWER_SECRET);
        env.put("FACTORY_NOW", "2025-10-21T13:00:00Z");
        Cli.Result inc1 = Cli.run(env, "backup", "incremental", "--root=" + root);
        assertThat(inc1.exit()).as(inc1.toString()).isZero();
        List<String> day22 = RuntimeEdits.appendProofs(root, 4, Cli.TOWER_SECRET);
        env.put("FACTORY_NOW", "2025-10-22T13:00:00Z");
        assertThat(Cli.run(env, "backup", "incremental", "--root=" + root).exit()).isZero();

        Path target = tmp.resolve("as-of-21");
        Cli.Result r = Cli.run(env, "restore", "--date=2025-10-21", "--scope=proof", "--target=" + target, "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        for (String p : day21) assertThat(target.resolve("proof").resolve(p)).exists();
        for (String p : day22) assertThat(target.resolve("proof").resolve(p)).doesNotExist();

        Path latest = tmp.resolve("latest");
        assertThat(Cli.run(env, "restore", "--date=latest", "--scope=proof", "--target=" + latest, "--root=" + root).exit()).isZero();
        for (String p : day22) assertThat(latest.resolve("proof").resolve(p)).exists();

        Cli.Result tooEarly = Cli.run(env, "restore", "--date=2025-10-19", "--root=" + root);
        assertThat(tooEarly.exit()).isEqualTo(1);
        assertThat(tooEarly.err()).contains("no full backup at or before 2025-10-19").contains("full-20251020T130000Z");
    }

    @Test
    void losingTheCatalogLosesNothing() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(60).days(2).ledgerRows(50).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = Cli.env(tmp);
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        String listed = Cli.run(env, "list", "--json", "--root=" + root).out();
        Files.delete(root.resolve("archive/catalog.db"));
        Cli.Result rebuilt = Cli.runAsOperator(env, "catalog", "rebuild", "--root=" + root);
        assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
        assertThat(rebuilt.out()).contains("1 recorded");
        String again = Cli.run(env, "list", "--json", "--root=" + root).out();
        assertThat(names(again)).isEqualTo(names(listed));
        assertThat(Cli.run(env, "restore", "--date=latest", "--dry-run", "--root=" + root).exit()).isZero();
    }

    /** config/ and logs/ as links to volumes of their own: a full backup holds what they lead to. */
    @Test
    void aRuntimeWhoseConfigAndLogsAreLinksIsBackedUpWhole() throws Exception {
        Path root = tmp.resolve("linked-runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(20).days(1).ledgerRows(20).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Path volume = onVolume(root, "config-and-logs-volume", "config", "logs");
        // a link below config/ is never archived, and the log says so
        Files.createSymbolicLink(volume.resolve("config/site.conf"), Files.writeString(tmp.resolve("site.conf"), "site=1\n"));
        Map<String, String> env = Cli.env(tmp);
        Cli.Result full = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(full.exit()).as(full.toString()).isZero();
        Path archive;
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            archive = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }
        // what stock tools find in the archive: config/ and logs/ were walked at their targets (an archive without them passed before)
        Cli.Result listed = Cli.sh(tmp, Map.of("K", Cli.ARCHIVE_KEY), "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '"
                + archive + "' | tar -tzf -");
        assertThat(listed.exit()).as(listed.toString()).isZero();
        assertThat(listed.out().lines()).anyMatch(l -> l.startsWith("config/") && !l.endsWith("/"))
                .anyMatch(l -> l.startsWith("logs/") && l.endsWith(".log")).contains("config/governance/policy.yaml", "config/tls/server.crt")
                .doesNotContain("config/site.conf");
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains("1 symbolic link(s) below " + root.resolve("config")
                + " not archived (links are never followed there): " + root.resolve("config/site.conf"));
        // a dry run compares with what the links hold: the config is unchanged, not all "added"
        Cli.Result dry = Cli.run(env, "restore", "--date=latest", "--dry-run", "--root=" + root);
        assertThat(dry.exit()).as(dry.toString()).isZero();
        // (the link below config/, never archived, is what a restore would take away, and the dry run says so)
        assertThat(dry.out()).doesNotContain("+ config/").containsPattern("restore all: 0 added, \\d+ changed, 1 removed")
                .contains("- config/site.conf");
    }

    /** The runtime's dirs moved to a directory of tmp (a volume of their own) and linked from where they were. */
    private Path onVolume(Path root, String volumeName, String... dirs) throws IOException {
        Path volume = Files.createDirectories(tmp.resolve(volumeName));
        for (String d : dirs) {
            Files.move(root.resolve(d), volume.resolve(d));
            Files.createSymbolicLink(root.resolve(d), volume.resolve(d));
        }
        return volume;
    }

    /** proof/ as a link to a larger volume: the proofs are restored there, and the link stays. */
    @Test
    void aProofDirectoryThatIsALinkIsRestoredWhereItPoints() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(60).days(2).ledgerRows(50).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Path volume = onVolume(root, "big-volume", "proof");
        Map<String, String> env = Cli.env(tmp);
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        String backedUp = RuntimeHash.of(volume, "proof");
        try (Stream<Path> s = Files.list(volume.resolve("proof"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("proof-00000000000")).toList()) Files.delete(p);
        }

        Cli.Result r = Cli.run(env, "restore", "--date=latest", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Files.isSymbolicLink(root.resolve("proof"))).as("proof/ is still the link").isTrue();
        assertThat(RuntimeHash.of(volume, "proof")).as("the proofs restored on the volume").isEqualTo(backedUp);
        for (Path dir : List.of(root, volume)) {
            try (Stream<Path> s = Files.list(dir)) {
                assertThat(s.map(p -> p.getFileName().toString())).as(dir.toString()).noneMatch(n -> n.startsWith(".restore-"));
            }
        }

        // a --target is written only inside itself: a link there, into the live runtime say, is refused
        Path other = Files.createDirectories(tmp.resolve("other-target"));
        Files.createSymbolicLink(other.resolve("proof"), volume.resolve("proof"));
        Cli.Result intoLive = Cli.run(env, "restore", "--date=latest", "--target=" + other, "--root=" + root);
        assertThat(intoLive.exit()).isNotZero();
        assertThat(intoLive.err()).contains("a restore into a --target writes only inside it");
        assertThat(RuntimeHash.of(volume, "proof")).as("the live proofs untouched").isEqualTo(backedUp);
        Files.delete(other.resolve("proof"));
        Files.createSymbolicLink(other.resolve("data"), root.resolve("data")); // its databases would be swapped in the live data/
        String liveData = RuntimeHash.of(root, "data");
        Cli.Result intoLiveData = Cli.run(env, "restore", "--date=latest", "--target=" + other, "--root=" + root);
        assertThat(intoLiveData.exit()).isNotZero();
        assertThat(intoLiveData.err()).contains("(data/) is a link to", "a restore into a --target writes only inside it");
        assertThat(RuntimeHash.of(root, "data")).as("the live databases untouched").isEqualTo(liveData);

        // a link that would move the runtime itself aside
        Files.delete(root.resolve("proof"));
        Files.createSymbolicLink(root.resolve("proof"), Path.of("."));
        Cli.Result itself = Cli.run(env, "restore", "--date=latest", "--root=" + root);
        assertThat(itself.exit()).isNotZero();
        assertThat(itself.err()).contains("which holds the runtime itself");
        Files.delete(root.resolve("proof"));
        Files.createSymbolicLink(root.resolve("proof"), volume.resolve("proof"));

        // the link's volume not mounted: one line saying so, and the runtime as it was
        Files.move(volume, tmp.resolve("unmounted"));
        Cli.Result refused = Cli.run(env, "restore", "--date=latest", "--root=" + root);
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("is a link to " + volume.resolve("proof") + ", which does not exist: is its volume mounted?");
        assertThat(Files.isSymbolicLink(root.resolve("proof"))).isTrue();
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".restore-"));
        }
    }

    /** A runtime one level below / (a container's /factory, a host's /srv): no .work/ or parent above its staging. */
    @Test
    void aRuntimeDirectlyUnderTheFileSystemRootIsRestored() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/")), "/ is writable (CI runs as root)");
        Path root = Files.createTempDirectory(Path.of("/"), "factory-dr-test-");
        try {
            SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(60).days(2).ledgerRows(50).logMb(0)
                    .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
            Map<String, String> env = Cli.env(tmp);
            assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
            Files.delete(root.resolve("data/federation_ledger.db"));

            Cli.Result r = Cli.run(env, "restore", "--date=latest", "--root=" + root);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(root.resolve("data/federation_ledger.db")).exists();
            try (Stream<Path> s = Files.list(root)) {
                assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".restore-"));
            }
        } finally {
            io.qontrek.factorydr.backup.WorkDir.delete(root);
        }
    }

    private static List<String> names(String json) throws Exception {
        var arr = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        List<String> out = new java.util.ArrayList<>();
        arr.forEach(n -> out.add(n.get("name").asText() + " " + n.get("sha256").asText()));
        return out;
    }

    static void assertLedgerChainAndNonces(Path root) throws Exception {
        Set<String> nonces = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + root.resolve("data/nonce_store.db"));
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT nonce FROM nonces")) {
            while (rs.next()) nonces.add(rs.getString(1));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + root.resolve("data/federation_ledger.db"));
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT seq, batch_id, peer, nonce, payload_sha256, received_at, prev_hash, entry_hash FROM ledger ORDER BY seq")) {
            String prev = "0".repeat(64);
            long expected = 1;
            while (rs.next()) {
                assertThat(rs.getLong(1)).isEqualTo(expected++);
                assertThat(rs.getString(7)).isEqualTo(prev);
                String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest((prev + "|" + rs.getLong(1)
                        + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|" + rs.getString(5) + "|"
                        + rs.getString(6)).getBytes(StandardCharsets.UTF_8)));
                assertThat(rs.getString(8)).isEqualTo(hash);
                assertThat(nonces).contains(rs.getString(4));
                prev = hash;
            }
        }
    }

    static long rows(Path db, String table) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
