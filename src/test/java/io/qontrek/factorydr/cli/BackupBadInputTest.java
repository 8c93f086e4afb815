package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gets one clear line, the right exit status, and leaves no archive behind. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupBadInputTest {
    Path tmp;
    Path root;
    Map<String, String> env;

    @BeforeAll
    void runtime(@TempDir Path classTmp) throws Exception {
        tmp = classTmp;
        root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(50).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        env = Cli.env(tmp);
    }

    private static void assertOneCleanLine(Cli.Result r) {
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).startsWith("factory-dr: ").doesNotContain("\tat ", "Exception");
    }

    private void assertNoArchive() throws Exception {
        Path archive = root.resolve("archive");
        if (!Files.exists(archive)) return;
        try (Stream<Path> s = Files.walk(archive)) {
            assertThat(s.filter(p -> p.toString().endsWith(".enc"))).isEmpty();
        }
    }

    @Test
    void missingEncryptionKey() throws Exception {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.remove("ARCHIVE_ENCRYPTION_KEY");
        Cli.Result r = Cli.run(e, "backup", "full", "--root=" + root);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("ARCHIVE_ENCRYPTION_KEY");
        assertOneCleanLine(r);
        assertThat(root.resolve("archive")).doesNotExist();
    }

    @Test
    void missingSigningSecretAndUnreadableSecretFile() throws Exception {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.remove("FACTORY_SIGNING_SECRET");
        Cli.Result r = Cli.run(e, "backup", "full", "--root=" + root);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("FACTORY_SIGNING_SECRET");
        assertOneCleanLine(r);
        e.put("FACTORY_SIGNING_SECRET_FILE", tmp.resolve("no-such-file").toString());
        r = Cli.run(e, "backup", "full", "--root=" + root);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("FACTORY_SIGNING_SECRET_FILE");
        assertNoArchive();
    }

    @Test
    void withoutAnEd25519SigningKeyBackupsAndDrillsAndRecoveriesFailClosed() throws Exception {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.remove("FACTORY_SIGNING_KEY_FILE");
        for (String[] command : new String[][] {{"backup", "full"}, {"drill"}, {"panic", "recover"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--root=" + root;
            Cli.Result r = Cli.run(e, args);
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("FACTORY_SIGNING_KEY_FILE is not set").contains("factory-dr keys init");
            assertOneCleanLine(r);
            // refused before any work: no proof without its signature
            assertThat(root.resolve("archive/recovery-proofs")).as(String.join(" ", command)).doesNotExist();
        }
        // a key file others may read is refused the same way
        Path loose = tmp.resolve("loose-key.pem");
        assertThat(Cli.run(e, "keys", "init", "--file=" + loose).exit()).isZero();
        Files.setPosixFilePermissions(loose, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        e.put("FACTORY_SIGNING_KEY_FILE", loose.toString());
        Cli.Result r = Cli.run(e, "backup", "full", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("chmod 600 " + loose);
        assertOneCleanLine(r);
        assertNoArchive();
        assertThat(root.resolve("data/ATLAS_PANIC")).doesNotExist();
    }

    @Test
    void keysInitRefusesToOverwriteAndKeysShowPrintsThePublicKeyOpensslDerives() throws Exception {
        Path key = tmp.resolve("keys/new-key.pem");
        Cli.Result init = Cli.run(env, "keys", "init", "--file=" + key);
        assertThat(init.exit()).as(init.toString()).isZero();
        assertThat(init.out()).contains("signing key written to " + key).contains("export FACTORY_SIGNING_KEY_FILE=" + key)
                .contains("-----BEGIN PUBLIC KEY-----").doesNotContain("PRIVATE");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        String before = Files.readString(key);
        Cli.Result again = Cli.run(env, "keys", "init", "--file=" + key);
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("never overwritten");
        assertOneCleanLine(again);
        assertThat(Files.readString(key)).isEqualTo(before);

        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("FACTORY_SIGNING_KEY_FILE", key.toString());
        Cli.Result show = Cli.run(e, "keys", "show");
        assertThat(show.exit()).as(show.toString()).isZero();
        assertThat(show.out()).isEqualTo(Cli.sh(tmp, Map.of(), "openssl pkey -in '" + key + "' -pubout").out());
        assertThat(init.out()).contains(show.out());
    }

    @Test
    void missingRuntimeDirectory() throws Exception {
        Cli.Result r = Cli.run(env, "backup", "full", "--root=" + tmp.resolve("nowhere"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("does not exist");
        assertOneCleanLine(r);
    }

    @Test
    void aRuntimeWithoutWhatItsBackupReadsIsRefusedAndNothingIsCreated() throws Exception {
        Path bare = tmp.resolve("bare");
        for (String d : List.of("config", "data")) Files.createDirectories(bare.resolve(d));
        for (String command : List.of("full", "incremental", "proofs", "alerts")) {
            Cli.Result r = Cli.run(env, "backup", command, "--root=" + bare);
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(command).contains(command.equals("alerts")
                    ? "logs directory (factory.logs-dir) " + bare.resolve("logs") + " does not exist"
                    : "proof directory (factory.proof-dir) " + bare.resolve("proof") + " does not exist");
            assertOneCleanLine(r);
            assertThat(bare.resolve("archive")).as("backup %s made an archive directory (locks, a catalog)", command).doesNotExist();
        }
    }

    @Test
    void aRuntimeWithArchivesWhoseProofVolumeIsGoneHasTheFailedRunRecorded() throws Exception {
        Path rt = tmp.resolve("unmounted");
        SampleRuntime.generate(rt, SampleRuntime.Options.builder().proofs(10).days(1).ledgerRows(10).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        assertThat(Cli.run(env, "backup", "full", "--root=" + rt).exit()).isZero();
        Files.move(rt.resolve("proof"), tmp.resolve("proof-volume-not-mounted"));
        Cli.Result r = Cli.run(env, "backup", "incremental", "--root=" + rt);
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err()).contains("proof directory (factory.proof-dir) " + rt.resolve("proof") + " does not exist");
        // where archives exist the flow refuses: the failed run is recorded (and alerted), so `status` shows it
        Cli.Result runs = Cli.sh(tmp, Map.of(), "sqlite3 '" + rt.resolve("archive/catalog.db") + "' \"select flow, outcome from runs\"");
        assertThat(runs.out()).as(runs.toString()).contains("backup-incremental|failed");
    }

    @Test
    void aLogsLinkToADirectoryHoldingTheRuntimeIsRefused() throws Exception {
        // logs/ -> a directory above the runtime: the backup would archive the runtime inside itself, secrets and all
        Path above = tmp.resolve("above");
        Path rt = above.resolve("rt");
        SampleRuntime.generate(rt, SampleRuntime.Options.builder().proofs(10).days(1).ledgerRows(10).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        try (Stream<Path> s = Files.walk(rt.resolve("logs"))) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Files.createSymbolicLink(rt.resolve("logs"), above);
        Cli.Result r = Cli.run(env, "backup", "full", "--root=" + rt);
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err()).contains("logs directory (factory.logs-dir) " + rt.resolve("logs") + " (really " + above.toRealPath()
                + ") holds the runtime root " + rt);
        assertOneCleanLine(r);
        try (Stream<Path> s = Files.walk(rt.resolve("archive"))) {
            assertThat(s.map(Path::toString)).as("no archive written").noneMatch(p -> p.endsWith(".tar.gz.enc"));
        }
    }

    @Test
    void unreadableFile() throws Exception {
        Path proof = root.resolve("proof/proof-000000000005.json");
        var mode = Files.getPosixFilePermissions(proof);
        Files.setPosixFilePermissions(proof, java.util.Set.of());
        try {
            Cli.Result r = Cli.runWithoutReadOverride(env, "backup", "full", "--root=" + root, "--archive-dir=" + tmp.resolve("unreadable"));
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("proof-000000000005.json is not readable");
            assertOneCleanLine(r);
            assertThat(Files.exists(tmp.resolve("unreadable/full"))).isFalse();
        } finally {
            Files.setPosixFilePermissions(proof, mode);
        }
    }

    @Test
    void badDate() throws Exception {
        Cli.Result r = Cli.run(env, "backup", "proofs", "--date=2025-13-45", "--root=" + root);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--date").contains("2025-13-45");
        assertOneCleanLine(r);
        assertNoArchive();
    }

    @Test
    void unknownCommandAndBadConfigValue() throws Exception {
        Cli.Result r = Cli.run(env, "backpu", "full");
        assertThat(r.exit()).isEqualTo(2);
        assertOneCleanLine(r);
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("FACTORY_BACKUP_GZIP_THREADS", "lots");
        r = Cli.run(e, "backup", "full", "--root=" + root);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("factory.backup.gzip-threads='lots'");
        assertOneCleanLine(r);
        assertNoArchive();
    }

    @Test
    void aDayWithoutADigestFailsSayingWhy() throws Exception {
        Cli.Result r = Cli.run(env, "backup", "proofs", "--date=2001-01-01", "--root=" + root);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no daily digest for 2001-01-01");
        assertOneCleanLine(r);
    }

    @Test
    void anExistingArchiveIsNeverOverwritten() throws Exception {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        Cli.Result first = Cli.run(env, "backup", "proofs", "--date=" + today, "--root=" + root, "--archive-dir=" + tmp.resolve("a1"));
        assertThat(first.exit()).as(first.toString()).isZero();
        Path archive = tmp.resolve("a1/proof/" + today + ".tar.gz.enc");
        byte[] before = Files.readAllBytes(archive);
        Cli.Result second = Cli.run(env, "backup", "proofs", "--date=" + today, "--root=" + root, "--archive-dir=" + tmp.resolve("a1"));
        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.err()).contains("already exists");
        assertOneCleanLine(second);
        assertThat(Files.readAllBytes(archive)).isEqualTo(before);
    }
}
