package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.offsite.S3Etag;
import io.qontrek.factorydr.offsite.S3TestServer;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Offsite copies through the CLI against a real S3 API (S3Proxy on loopback): backups go up with
 * their sidecars under the same keys and are checked; S3 down or refusing the credentials leaves a
 * complete local archive and a run that fails in one line; catch-up copies it later and never twice;
 * a download comes back verified, and a corrupted object is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OffsiteEndToEndTest {
    S3TestServer s3;
    S3Client client;

    @BeforeAll
    void startS3(@TempDir Path classTmp) throws Exception {
        s3 = S3TestServer.start(classTmp.resolve("s3"));
        client = s3.client();
    }

    @AfterAll
    void stopS3() throws Exception {
        if (client != null) client.close();
        if (s3 != null) s3.close();
    }

    @BeforeEach
    void s3IsUp() throws Exception {
        s3.start();
    }

    /** A runtime, and the environment of an operator copying it offsite under its own prefix. */
    private Map<String, String> setUp(Path tmp, Path root, String prefix) throws Exception {
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(60).days(2).ledgerRows(100).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        env.putAll(s3.env());
        env.put("FACTORY_S3_PREFIX", prefix);
        return env;
    }

    private static Path onlyArchive(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }
    }

    private byte[] object(String key) {
        return client.getObject(b -> b.bucket(S3TestServer.BUCKET).key(key), ResponseTransformer.toBytes()).asByteArray();
    }

    private static JsonNode catalog(Map<String, String> env, Path root) throws Exception {
        Cli.Result list = Cli.run(env, "list", "--json", "--root=" + root);
        assertThat(list.exit()).as(list.toString()).isZero();
        return new ObjectMapper().readTree(list.out());
    }

    @Test
    void aBackupGoesOffsiteByteForByteUnderTheSameKeys(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        Map<String, String> env = setUp(tmp, root, "site-a");
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();

        Path archive = onlyArchive(root.resolve("archive/full"));
        String name = "full/" + archive.getFileName();
        for (String suffix : List.of("", ".sha256", ".manifest.json")) {
            assertThat(object("site-a/" + name + suffix)).as(name + suffix).isEqualTo(Files.readAllBytes(Path.of(archive + suffix)));
        }
        JsonNode entry = catalog(env, root).get(0);
        assertThat(entry.get("name").asText()).isEqualTo(name);
        assertThat(entry.get("offsite_at").isNull()).isFalse();
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).contains("offsite-upload: " + name + " copied offsite: 6 objects")
                .doesNotContain(S3TestServer.SECRET_KEY);
    }

    @Test
    void withTheLocalArchivesGoneRestorePullsThemFromS3(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        Map<String, String> env = setUp(tmp, root, "site-burned");
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        RuntimeEdits.appendProofs(root, 3, Cli.TOWER_SECRET);
        Thread.sleep(1100);
        assertThat(Cli.run(env, "backup", "incremental", "--root=" + root).exit()).isZero();
        String listedBefore = catalog(env, root).toString();
        // the machine burned: every local archive is gone, the catalog too
        for (String dir : List.of("full", "incremental")) {
            try (Stream<Path> s = Files.list(root.resolve("archive").resolve(dir))) {
                for (Path p : s.toList()) Files.delete(p);
            }
        }
        Files.delete(root.resolve("archive/catalog.db"));
        Files.delete(root.resolve("data/federation_ledger.db"));

        Cli.Result rebuilt = Cli.run(env, "catalog", "rebuild", "--from=s3", "--root=" + root);
        assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
        assertThat(rebuilt.out()).contains("2 manifests, 2 recorded");
        JsonNode after = catalog(env, root);
        assertThat(after).hasSize(2);
        assertThat(after.toString()).contains(new ObjectMapper().readTree(listedBefore).get(0).get("sha256").asText());

        Cli.Result r = Cli.run(env, "restore", "--date=latest", "--verify", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("verify federation: passed");
        assertThat(root.resolve("data/federation_ledger.db")).exists();
        assertThat(onlyArchive(root.resolve("archive/full"))).exists();
        assertThat(onlyArchive(root.resolve("archive/incremental"))).exists();
        RestoreEndToEndTest.assertLedgerChainAndNonces(root);
    }

    /**
     * The site is lost after a key rotation: its restore set is a full signed by the old key and an
     * incremental signed by the new one. The downloads bring back the bucket's current key and the
     * retired one, each under its fingerprint, so the set verifies whole, Ed25519 included.
     */
    @Test
    void aSiteLostAfterAKeyRotationGetsItsRetiredKeyBackAndItsRestoreSetVerifies(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        Map<String, String> env = setUp(tmp, root, "site-rotated");
        Path keyFile = tmp.resolve("keys/signing-key.pem");
        assertThat(Cli.run(env, "keys", "init", "--file=" + keyFile).exit()).isZero();
        env.put("FACTORY_SIGNING_KEY_FILE", keyFile.toString());
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        Files.move(keyFile, tmp.resolve("keys/old-key.pem"));
        assertThat(Cli.run(env, "keys", "init", "--file=" + keyFile).exit()).isZero();
        RuntimeEdits.appendProofs(root, 3, Cli.TOWER_SECRET);
        Thread.sleep(1100);
        assertThat(Cli.run(env, "backup", "incremental", "--root=" + root).exit()).isZero();
        List<String> keysHere;
        try (Stream<Path> s = Files.list(root.resolve("archive"))) {
            keysHere = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("signing-key")).sorted().toList();
        }
        assertThat(keysHere).hasSize(2); // the current key and the retired one
        // a key planted in the bucket under a name that is not its fingerprint is not installed, nor are
        // bytes that are no PEM at all; neither stops the restore
        client.putObject(b -> b.bucket(S3TestServer.BUCKET).key("site-rotated/signing-key-0123456789abcdef.pub.pem"),
                software.amazon.awssdk.core.sync.RequestBody.fromFile(root.resolve("archive/signing-key.pub.pem")));
        client.putObject(b -> b.bucket(S3TestServer.BUCKET).key("site-rotated/signing-key-00000000000000aa.pub.pem"),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, 'x', (byte) 0xff}));
        // the machine burned: the whole archive directory is gone
        Files.walk(root.resolve("archive")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());

        Cli.Result rebuilt = Cli.run(env, "catalog", "rebuild", "--from=s3", "--root=" + root);
        assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
        Cli.Result restore = Cli.run(env, "restore", "--date=latest", "--root=" + root);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        try (Stream<Path> s = Files.list(root.resolve("archive"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("signing-key")).sorted().toList())
                    .isEqualTo(keysHere);
        }
        Cli.Result verify = Cli.run(env, "verify", "backup", "--root=" + root);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        Cli.Result full = Cli.run(env, "verify", "archive", onlyArchive(root.resolve("archive/full")).toString(), "--root=" + root);
        assertThat(full.exit()).as(full.toString()).isZero();
        assertThat(full.out()).contains("against the retired key " + root.resolve("archive"));

        // a machine that has its key keeps its own set: the retired key deleted here (it leaked) is not
        // brought back by the next download
        Path retired = root.resolve("archive").resolve(keysHere.get(0));
        Files.delete(retired);
        Path incremental = onlyArchive(root.resolve("archive/incremental"));
        for (String suffix : List.of("", ".sha256", ".manifest.json", ".manifest.json.sig")) Files.delete(Path.of(incremental + suffix));
        Cli.Result again = Cli.run(env, "offsite", "download", "incremental/" + incremental.getFileName(), "--root=" + root);
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(retired).doesNotExist();
    }

    @Test
    void aLargeArchiveGoesUpInPartsAndChecksOut(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        Map<String, String> env = setUp(tmp, root, "site-large");
        env.put("FACTORY_S3_PART_SIZE_MB", "5");
        byte[] noise = new byte[12 * 1024 * 1024];
        new Random(4).nextBytes(noise); // incompressible: the archive stays over two part sizes
        Files.write(root.resolve("logs/noise.log"), noise);

        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        Path archive = onlyArchive(root.resolve("archive/full"));
        String key = "site-large/full/" + archive.getFileName();
        assertThat(Files.size(archive)).isGreaterThan(10L * 1024 * 1024);
        String etag = S3Etag.unquote(client.headObject(b -> b.bucket(S3TestServer.BUCKET).key(key)).eTag());
        assertThat(etag).as("multipart ETag").endsWith("-3").isEqualTo(S3Etag.of(archive, 5L * 1024 * 1024).etag());
        assertThat(object(key)).isEqualTo(Files.readAllBytes(archive));
        assertThat(catalog(env, root).get(0).get("offsite_at").isNull()).isFalse();
        String log = Cli.read(tmp.resolve("factory-dr.log"));
        String line = log.lines().filter(l -> l.contains("copied offsite")).findFirst().orElseThrow();
        System.out.println("[measured] " + line.substring(line.indexOf("offsite-upload")));
    }

    @Test
    void s3DownLeavesACompleteLocalArchiveThenCatchUpCopiesItOnce(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        Map<String, String> env = setUp(tmp, root, "site-down");
        env.put("FACTORY_S3_RETRIES", "1");
        s3.stop();
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        s3.start();

        assertThat(backup.exit()).as(backup.toString()).isEqualTo(1);
        assertThat(backup.err().lines()).as(backup.toString()).hasSize(1);
        assertThat(backup.err()).startsWith("factory-dr: offsite copy of full/")
                .contains("bucket " + S3TestServer.BUCKET + " at endpoint " + s3.endpoint())
                .contains("the local archive is complete").contains("offsite catch-up")
                .doesNotContain(S3TestServer.SECRET_KEY).doesNotContain("\tat ");
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).doesNotContain(S3TestServer.SECRET_KEY);
        Path archive = onlyArchive(root.resolve("archive/full"));
        Cli.Result verify = Cli.run(env, "verify", "archive", archive.toString(), "--root=" + root);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        JsonNode entry = catalog(env, root).get(0);
        assertThat(entry.get("offsite_at").isNull()).isTrue();
        io.qontrek.factorydr.catalog.Catalog runs = new io.qontrek.factorydr.catalog.Catalog(root.resolve("archive/catalog.db"));
        // the backup itself succeeded and says so; the offsite copy's failure is its own run
        assertThat(runs.runs("backup-full")).extracting(io.qontrek.factorydr.catalog.Catalog.RunRow::outcome).containsExactly("ok");
        assertThat(runs.runs("offsite-upload")).extracting(io.qontrek.factorydr.catalog.Catalog.RunRow::outcome).containsExactly("failed");

        Cli.Result catchUp = Cli.runAsOperator(env, "offsite", "catch-up", "--root=" + root);
        assertThat(catchUp.exit()).as(catchUp.toString()).isZero();
        assertThat(catchUp.out()).contains("1 archives not offsite: 1 uploaded");
        assertThat(object("site-down/full/" + archive.getFileName())).isEqualTo(Files.readAllBytes(archive));
        assertThat(catalog(env, root).get(0).get("offsite_at").isNull()).isFalse();

        Cli.Result again = Cli.run(env, "offsite", "catch-up", "--root=" + root);
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).contains("0 archives not offsite: 0 uploaded");

        // stored but not recorded (say the catalog write failed): checked, recorded, not sent again
        Cli.Result forget = Cli.sh(tmp, Map.of(), "sqlite3 '" + root.resolve("archive/catalog.db") + "' 'UPDATE archives SET offsite_at = NULL'");
        assertThat(forget.exit()).as(forget.toString()).isZero();
        Cli.Result recheck = Cli.run(env, "offsite", "catch-up", "--root=" + root);
        assertThat(recheck.exit()).as(recheck.toString()).isZero();
        assertThat(recheck.out()).contains("1 archives not offsite: 0 uploaded (0.0 MB), 1 were already stored");
        assertThat(catalog(env, root).get(0).get("offsite_at").isNull()).isFalse();
    }

    @Test
    void wrongCredentialsLeaveACompleteLocalArchiveAndSaySo(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        Map<String, String> env = setUp(tmp, root, "site-creds");
        env.put("FACTORY_S3_RETRIES", "0");
        env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret-key-0123");
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isEqualTo(1);
        assertThat(backup.err().lines()).as(backup.toString()).hasSize(1);
        assertThat(backup.err()).contains("HTTP 403").contains("check the credentials")
                .contains("bucket " + S3TestServer.BUCKET + " at endpoint " + s3.endpoint())
                .contains("the local archive is complete").doesNotContain("not-the-secret-key-0123");
        assertThat(Cli.read(tmp.resolve("factory-dr.log"))).doesNotContain("not-the-secret-key-0123");
        Path archive = onlyArchive(root.resolve("archive/full"));
        assertThat(Cli.run(env, "verify", "archive", archive.toString(), "--root=" + root).exit()).isZero();
        assertThat(catalog(env, root).get(0).get("offsite_at").isNull()).isTrue();
    }

    @Test
    void aMissingBucketLeavesACompleteLocalArchiveAndNamesTheBucket(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        Map<String, String> env = setUp(tmp, root, "site-nobucket");
        env.put("FACTORY_S3_RETRIES", "0");
        env.put("FACTORY_S3_BUCKET", "no-such-bucket");
        Cli.Result backup = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isEqualTo(1);
        assertThat(backup.err().lines()).as(backup.toString()).hasSize(1);
        assertThat(backup.err()).contains("bucket no-such-bucket at endpoint " + s3.endpoint())
                .contains("the local archive is complete").doesNotContain(S3TestServer.SECRET_KEY);
        Path archive = onlyArchive(root.resolve("archive/full"));
        assertThat(Cli.run(env, "verify", "archive", archive.toString(), "--root=" + root).exit()).isZero();
    }

    @Test
    void aDownloadComesBackVerifiedAndACorruptedObjectIsRefused(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        Map<String, String> env = setUp(tmp, root, "site-dl");
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        Path archive = onlyArchive(root.resolve("archive/full"));
        String name = "full/" + archive.getFileName();
        Path saved = Files.createDirectories(tmp.resolve("saved"));
        for (String suffix : List.of("", ".sha256", ".manifest.json", ".manifest.json.sig")) {
            Files.move(Path.of(archive + suffix), saved.resolve(archive.getFileName() + suffix));
        }

        Cli.Result download = Cli.runAsOperator(env, "offsite", "download", name, "--root=" + root);
        assertThat(download.exit()).as(download.toString()).isZero();
        assertThat(download.out()).contains("downloaded and verified: " + name);
        for (String suffix : List.of("", ".sha256", ".manifest.json", ".manifest.json.sig")) {
            assertThat(Files.mismatch(Path.of(archive + suffix), saved.resolve(archive.getFileName() + suffix))).isEqualTo(-1L);
        }
        Cli.Result again = Cli.run(env, "offsite", "download", name, "--root=" + root);
        assertThat(again.exit()).as("never overwrites").isEqualTo(1);
        assertThat(again.err()).contains("already exists");

        // bit rot on the server: flip the last byte of the stored archive behind S3's back
        Path stored = s3.storedFile("site-dl/" + name);
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(stored, bytes);
        Path other = tmp.resolve("elsewhere");
        Cli.Result refused = Cli.run(env, "offsite", "download", name, "--root=" + root, "--target=" + other);
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err().lines()).hasSize(1);
        assertThat(refused.err()).contains("verification failed").contains("does not verify and was deleted")
                .contains(archive.getFileName() + ": SHA-256 does not match");
        try (Stream<Path> s = Files.walk(other)) {
            assertThat(s.filter(Files::isRegularFile).toList()).as("nothing left behind").isEmpty();
        }
    }
}
