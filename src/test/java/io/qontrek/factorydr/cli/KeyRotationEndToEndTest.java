package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key rotation of docs/signatures.md as an operator runs it: a full signed by the old key, the key
 * moved aside and a new one made with `keys init`, an incremental signed by the new key. The restore set
 * spans the rotation and verifies whole; with the retired key's file deleted (it leaked), the old
 * key's signature fails in one line.
 */
class KeyRotationEndToEndTest {
    @TempDir Path tmp;

    @Test
    void aRestoreSetSpanningAKeyRotationVerifies_untilTheRetiredKeyIsDeleted() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(30).days(2).ledgerRows(40).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(3600)).build(), null);
        Map<String, String> env = Cli.env(tmp);
        Path keyFile = tmp.resolve("keys/signing-key.pem");
        assertThat(Cli.run(env, "keys", "init", "--file=" + keyFile).exit()).isZero();
        env.put("FACTORY_SIGNING_KEY_FILE", keyFile.toString());
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        Path full;
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            full = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }

        // the rotation: step 1 of "Rotating the key"
        Files.move(keyFile, tmp.resolve("keys/old-key.pem"));
        assertThat(Cli.run(env, "keys", "init", "--file=" + keyFile).exit()).isZero();
        RuntimeEdits.appendProofs(root, 3, Cli.TOWER_SECRET);
        Thread.sleep(1100); // archive names have one-second resolution
        Cli.Result inc = Cli.run(env, "backup", "incremental", "--root=" + root);
        assertThat(inc.exit()).as(inc.toString()).isZero();
        Path retired;
        try (Stream<Path> s = Files.list(root.resolve("archive"))) {
            retired = s.filter(p -> p.getFileName().toString().matches("signing-key-[0-9a-f]{16}\\.pub\\.pem")).findFirst().orElseThrow();
        }

        Cli.Result set = Cli.run(env, "verify", "backup", "--root=" + root);
        assertThat(set.exit()).as(set.toString()).isZero();
        Cli.Result old = Cli.run(env, "verify", "archive", full.toString(), "--root=" + root);
        assertThat(old.exit()).as(old.toString()).isZero();
        assertThat(old.out()).contains("Ed25519 signature verified: " + full.getFileName() + ".manifest.json.sig against the retired key "
                + retired + " (not the current key; the name is its fingerprint)");

        // the old key leaked: its retired file deleted, what it signed fails, naming the file
        Files.delete(retired);
        Cli.Result refused = Cli.run(env, "verify", "backup", "--root=" + root);
        assertThat(refused.exit()).as(refused.toString()).isNotZero();
        assertThat(refused.err().strip()).isEqualTo("factory-dr: verification failed: " + full.getFileName()
                + ".manifest.json.sig: the Ed25519 signature does not verify against " + root.resolve("archive/signing-key.pub.pem")
                + " (" + full.getFileName() + ".manifest.json was changed, or signed by another key)");
    }
}
