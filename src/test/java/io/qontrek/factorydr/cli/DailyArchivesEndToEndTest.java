package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** `backup proofs` and `backup alerts` write the contract's daily archives; `verify archive` refuses a broken one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DailyArchivesEndToEndTest {
    Path tmp;
    Path root;
    Map<String, String> env;
    SampleRuntime.Summary sample;

    @BeforeAll
    void runtime(@TempDir Path classTmp) throws Exception {
        tmp = classTmp;
        root = tmp.resolve("runtime");
        sample = SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(120).days(3).ledgerRows(100).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        env = Cli.env(tmp);
    }

    @Test
    void dailyProofArchiveHoldsThatDaysProofsAndDigest() throws Exception {
        String day = sample.firstDay().plusDays(1).toString();
        Cli.Result r = Cli.run(env, "backup", "proofs", "--date=" + day, "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        Path archive = root.resolve("archive/proof/" + day + ".tar.gz.enc");
        assertThat(archive).exists();

        JsonNode digest = new ObjectMapper().readTree(root.resolve("proof/digests/" + day + ".json").toFile());
        long first = digest.get("first_seq").asLong();
        long last = digest.get("last_seq").asLong();
        Cli.Result list = Cli.sh(tmp, Map.of("K", Cli.ARCHIVE_KEY),
                "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '" + archive + "' | tar -tzf -");
        List<String> names = list.out().lines().toList();
        assertThat(names).hasSize((int) (last - first + 1) + 2); // the proofs, the digest, manifest.json
        assertThat(names).contains("proof/digests/" + day + ".json", String.format("proof/proof-%012d.json", first),
                String.format("proof/proof-%012d.json", last));
        for (String n : names) {
            if (!n.startsWith("proof/proof-")) continue;
            long seq = Long.parseLong(n.substring("proof/proof-".length(), n.length() - ".json".length()));
            assertThat(seq).isBetween(first, last);
        }
        JsonNode manifest = new ObjectMapper().readTree(Path.of(archive + ".manifest.json").toFile());
        assertThat(manifest.get("type").asText()).isEqualTo("proof-daily");
        assertThat(manifest.at("/proof_head/seq").asLong()).isEqualTo(last);
    }

    @Test
    void alertArchiveHoldsThatDaysAlertLogs() throws Exception {
        String day = sample.firstDay().toString();
        Cli.Result r = Cli.run(env, "backup", "alerts", "--date=" + day, "--root=" + root, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("status").asText()).isEqualTo("written");
        Path archive = root.resolve("archive/alerts/" + day + ".tar.gz.enc");
        Cli.Result list = Cli.sh(tmp, Map.of("K", Cli.ARCHIVE_KEY),
                "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '" + archive + "' | tar -tzf -");
        assertThat(list.out().lines().toList()).containsExactly("logs/alerts/alerts-" + day + ".log", "manifest.json");

        Cli.Result none = Cli.run(env, "backup", "alerts", "--date=2001-01-01", "--root=" + root);
        assertThat(none.exit()).isZero();
        assertThat(none.out()).contains("nothing to archive");
        assertThat(root.resolve("archive/alerts/2001-01-01.tar.gz.enc")).doesNotExist();
    }

    @Test
    void verifyArchiveRefusesACorruptOrWrongKeyArchiveWithOneLine() throws Exception {
        String day = sample.lastDay().toString();
        Path dir = tmp.resolve("verify-archive");
        Cli.Result r = Cli.run(env, "backup", "proofs", "--date=" + day, "--root=" + root, "--archive-dir=" + dir);
        assertThat(r.exit()).as(r.toString()).isZero();
        Path archive = dir.resolve("proof/" + day + ".tar.gz.enc");

        Map<String, String> wrongKey = new java.util.HashMap<>(env);
        wrongKey.put("ARCHIVE_ENCRYPTION_KEY", "not the key");
        // the sidecar checksum still matches, so this reaches decryption
        Cli.Result wrong = Cli.run(wrongKey, "verify", "archive", archive.toString(), "--root=" + root, "--archive-dir=" + dir);
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err().lines()).hasSize(1);
        assertThat(wrong.err()).contains("verification failed");

        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x01);
        }
        Cli.Result flipped = Cli.run(env, "verify", "archive", archive.toString(), "--root=" + root, "--archive-dir=" + dir);
        assertThat(flipped.exit()).isEqualTo(1);
        assertThat(flipped.err().lines()).hasSize(1);
        assertThat(flipped.err()).contains("verification failed").contains("sha256");
        assertThat(Files.exists(archive)).isTrue();
    }
}
