package io.qontrek.factorydr.signing;

import io.qontrek.factorydr.camel.SettingsCheck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Ed25519 key and the routes sign-detached / verify-detached, checked against the real openssl
 * (OpenSSL 3): what a third party runs holding only the public key,
 * {@code openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in X -sigfile X.sig}.
 */
class SignaturesTest {
    @TempDir Path tmp;

    record Result(int exit, String out, String err) {}

    /** Runs openssl in tmp with these arguments (no shell), stdin from /dev/null. */
    Result openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "openssl", ".out");
        Path err = Files.createTempFile(tmp, "openssl", ".err");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    Result thirdPartyVerify(Path pub, Path file) throws Exception {
        return openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in", file.toString(),
                "-sigfile", DetachedSignatures.of(file).toString());
    }

    @Test
    void keysInitMakesAnOwnerOnlyPkcs8KeyWhosePublicKeyOpensslDerivesAlike() throws Exception {
        Path file = tmp.resolve("keys/signing-key.pem");
        SigningKey key = SigningKey.create(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        Result pub = openssl("pkey", "-in", file.toString(), "-pubout");
        assertThat(pub.exit()).as(pub.err()).isZero();
        assertThat(SigningKey.publicPem(key.publicKey())).isEqualTo(pub.out());
        // read back, the public key is derived from the private key alone: the same
        assertThat(SigningKey.load(file).publicKey().getEncoded()).isEqualTo(key.publicKey().getEncoded());
        String before = Files.readString(file);
        assertThatThrownBy(() -> SigningKey.create(file)).isInstanceOf(ConfigException.class).hasMessageContaining("never overwritten");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void loadsAKeyOpensslMadeAndRefusesBadKeyFilesInOneLine() throws Exception {
        Path made = tmp.resolve("openssl.pem");
        assertThat(openssl("genpkey", "-algorithm", "ed25519", "-out", made.toString()).exit()).isZero();
        Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rw-------"));
        assertThat(SigningKey.publicPem(SigningKey.load(made).publicKey())).isEqualTo(openssl("pkey", "-in", made.toString(), "-pubout").out());

        Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> SigningKey.load(made)).isInstanceOf(ConfigException.class).hasMessageContaining("chmod 600 " + made);

        Path ec = tmp.resolve("ec.pem");
        assertThat(openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec.toString()).exit()).isZero();
        Files.setPosixFilePermissions(ec, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> SigningKey.load(ec)).isInstanceOf(ConfigException.class).hasMessageContaining("is not an Ed25519 private key");

        Path garbage = Files.writeString(tmp.resolve("garbage.pem"), "not a key\n");
        Files.setPosixFilePermissions(garbage, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> SigningKey.load(garbage)).hasMessageContaining("holds no '-----BEGIN PRIVATE KEY-----' block");
        assertThatThrownBy(() -> SigningKey.load(tmp.resolve("absent.pem"))).hasMessageContaining("does not exist")
                .hasMessageContaining("factory-dr keys init");
        assertThatThrownBy(() -> SigningKey.configured(null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("FACTORY_SIGNING_KEY_FILE is not set").hasMessageContaining("factory-dr keys init");
    }

    private Flows start(Map<String, String> env) throws IOException {
        return start(env, "33554432");
    }

    private Flows start(Map<String, String> env, String inMemoryMaxBytes) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("runtime"));
        Settings settings = SettingsCheck.validate(Settings.load(null, Map.of(),
                Map.of("factory.root", root.toString(), "factory.signing.in-memory-max-bytes", inMemoryMaxBytes)));
        return Flows.start(settings, new Secrets(env), "sign-detached", "verify-detached");
    }

    /** Both signers: camel-crypto in memory (the default limit), and from disk (limit 0: every file is "too large"). */
    @ParameterizedTest(name = "in-memory-max-bytes={0}")
    @ValueSource(strings = {"33554432", "0"})
    void theSignRouteWritesWhatOpensslVerifiesAndAChangedByteFailsOpensslAndOurVerify(String inMemoryMaxBytes) throws Exception {
        Path keyFile = tmp.resolve("signing-key.pem");
        SigningKey key = SigningKey.create(keyFile);
        Path x = Files.writeString(tmp.resolve("drill-20261202T190000Z.json"), "{\"schema\": \"factory.drill_proof.v1\", \"pass\": true}\n");
        Path pub = tmp.resolve("runtime/archive/signing-key.pub.pem");
        try (Flows flows = start(Map.of(Secrets.SIGNING_KEY_FILE, keyFile.toString()), inMemoryMaxBytes)) {
            Object body = flows.run("sign-detached", Map.of("factorySignFile", x.toString()), ProgressListener.NONE, "the caller's body");
            assertThat(body).as("the caller's body comes back").isEqualTo("the caller's body");
            Path sig = DetachedSignatures.of(x);
            assertThat(sig).hasFileName("drill-20261202T190000Z.json.sig");
            assertThat(Files.size(sig)).isEqualTo(64);
            assertThat(Files.readString(pub)).isEqualTo(SigningKey.publicPem(key.publicKey()));

            Result ok = thirdPartyVerify(pub, x);
            assertThat(ok.exit()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("Signature Verified Successfully");
            // Ed25519 is deterministic: openssl signing the same bytes with the same key writes the same 64 bytes
            Path theirs = tmp.resolve("openssl.sig");
            assertThat(openssl("pkeyutl", "-sign", "-inkey", keyFile.toString(), "-rawin", "-in", x.toString(), "-out", theirs.toString()).exit())
                    .isZero();
            assertThat(Files.readAllBytes(sig)).isEqualTo(Files.readAllBytes(theirs));

            Message verified = flows.runForMessage("verify-detached", Map.of("factoryVerifyFile", x.toString()), ProgressListener.NONE, "kept");
            assertThat(verified.getBody()).isEqualTo("kept");
            assertThat(verified.getHeader("factoryEd25519", String.class)).startsWith("Ed25519 signature verified: " + sig.getFileName())
                    .contains(pub.toString());

            // one changed byte, same length
            byte[] bytes = Files.readAllBytes(x);
            bytes[bytes.length - 3] = (byte) (bytes[bytes.length - 3] == 'e' ? 'f' : 'e');
            Files.write(x, bytes);
            Result changed = thirdPartyVerify(pub, x);
            assertThat(changed.exit()).isNotZero();
            assertThat(changed.out() + changed.err()).contains("Signature Verification Failure");
            assertThatThrownBy(() -> flows.run("verify-detached", Map.of("factoryVerifyFile", x.toString()), ProgressListener.NONE))
                    .isInstanceOf(ArchiveException.class)
                    .hasMessage(sig.getFileName() + ": the Ed25519 signature does not verify against " + pub + " (" + x.getFileName()
                            + " was changed, or signed by another key)");

            // written before signatures existed: reported, not failed
            Path old = Files.writeString(tmp.resolve("resilience_ops_v1-20250101T000000Z.json"), "{}\n");
            Message unsigned = flows.runForMessage("verify-detached", Map.of("factoryVerifyFile", old.toString()), ProgressListener.NONE, null);
            assertThat(unsigned.getHeader("factoryEd25519", String.class)).startsWith("no Ed25519 signature (" + old.getFileName() + ".sig missing");

            // a .sig that is not 64 bytes is refused, not passed
            Files.write(DetachedSignatures.of(old), new byte[63]);
            assertThatThrownBy(() -> flows.run("verify-detached", Map.of("factoryVerifyFile", old.toString()), ProgressListener.NONE))
                    .isInstanceOf(ArchiveException.class).hasMessageContaining("63 bytes, not a raw 64-byte Ed25519 signature");
        }
    }

    /**
     * docs/signatures.md, "Rotating the key": what the old key signed still verifies, against the key the
     * rotation retired, and says so; with that key's file deleted (it leaked) it fails, and a changed byte
     * fails against every key. Both verifiers (camel-crypto in memory, and from disk) reach the retired keys.
     */
    @ParameterizedTest(name = "in-memory-max-bytes={0}")
    @ValueSource(strings = {"33554432", "0"})
    void afterARotationWhatTheOldKeySignedVerifiesAgainstTheRetiredKeyUntilThatKeyIsDeleted(String inMemoryMaxBytes) throws Exception {
        Path oldKeyFile = tmp.resolve("old-key.pem");
        Path newKeyFile = tmp.resolve("signing-key.pem");
        SigningKey oldKey = SigningKey.create(oldKeyFile);
        SigningKey.create(newKeyFile);
        Path before = Files.writeString(tmp.resolve("20261201T000000Z.tar.gz.enc.manifest.json"), "{\"files\": []}\n");
        Path after = Files.writeString(tmp.resolve("20261202T000000Z.tar.gz.enc.manifest.json"), "{\"files\": [1]}\n");
        Path archiveDir = tmp.resolve("runtime/archive");
        Path pub = archiveDir.resolve("signing-key.pub.pem");
        Path retired = archiveDir.resolve(DetachedSignatures.fingerprintedName(oldKey.publicKey()));
        try (Flows flows = start(Map.of(Secrets.SIGNING_KEY_FILE, oldKeyFile.toString()), inMemoryMaxBytes)) {
            flows.run("sign-detached", Map.of("factorySignFile", before.toString()), ProgressListener.NONE);
        }
        try (Flows flows = start(Map.of(Secrets.SIGNING_KEY_FILE, newKeyFile.toString()), inMemoryMaxBytes)) {
            flows.run("sign-detached", Map.of("factorySignFile", after.toString()), ProgressListener.NONE);
            assertThat(retired).exists();

            assertThat(verdict(flows, after)).isEqualTo("Ed25519 signature verified: " + after.getFileName() + ".sig against " + pub);
            assertThat(verdict(flows, before)).isEqualTo("Ed25519 signature verified: " + before.getFileName() + ".sig against the retired key "
                    + retired + " (not the current key; the name is its fingerprint)");
            // a third party holding the retired key agrees
            assertThat(thirdPartyVerify(retired, before).exit()).isZero();

            // a changed byte fails against the current key and every retired one
            byte[] original = Files.readAllBytes(before);
            byte[] changed = original.clone();
            changed[2] = (byte) (changed[2] == 'f' ? 'g' : 'f');
            Files.write(before, changed);
            assertThatThrownBy(() -> verdict(flows, before)).isInstanceOf(ArchiveException.class)
                    .hasMessage(before.getFileName() + ".sig: the Ed25519 signature does not verify against " + pub
                            + " or the retired key " + retired + " (" + before.getFileName()
                            + " was changed, or signed by another key)");
            Files.write(before, original);

            // the old key leaked: its retired file deleted, what it signed no longer verifies, and a copy of it
            // under another name, junk, or a link of that name pattern counts for nothing (each is named)
            Files.copy(retired, archiveDir.resolve("signing-key-0123456789abcdef.pub.pem"));
            Files.writeString(archiveDir.resolve("signing-key-junk.pub.pem"), "not a key\n");
            Files.createSymbolicLink(archiveDir.resolve("signing-key-fedcba9876543210.pub.pem"), retired);
            Files.delete(retired);
            assertThatThrownBy(() -> verdict(flows, before)).isInstanceOf(ArchiveException.class)
                    .hasMessage(before.getFileName() + ".sig: the Ed25519 signature does not verify against " + pub + " ("
                            + before.getFileName() + " was changed, or signed by another key); skipped in " + archiveDir
                            + ": signing-key-0123456789abcdef.pub.pem (not named by its key's fingerprint, " + retired.getFileName()
                            + "), signing-key-fedcba9876543210.pub.pem (not a regular file), signing-key-junk.pub.pem (not an Ed25519 public key PEM)");
            assertThat(verdict(flows, after)).startsWith("Ed25519 signature verified: ");
        }
    }

    private static String verdict(Flows flows, Path file) throws Exception {
        return flows.runForMessage("verify-detached", Map.of("factoryVerifyFile", file.toString()), ProgressListener.NONE, null)
                .getHeader("factoryEd25519", String.class);
    }

    @Test
    void withoutAKeyTheSignRouteFailsClosedInOneLineAndWritesNothing() throws Exception {
        Path x = Files.writeString(tmp.resolve("proof.json"), "{}");
        try (Flows flows = start(Map.of())) {
            assertThatThrownBy(() -> flows.run("sign-detached", Map.of("factorySignFile", x.toString()), ProgressListener.NONE))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("FACTORY_SIGNING_KEY_FILE is not set: make a signing key with `factory-dr keys init");
        }
        assertThat(DetachedSignatures.of(x)).doesNotExist();
        assertThat(tmp.resolve("runtime/archive/signing-key.pub.pem")).doesNotExist();
    }

    @Test
    void thePublishedKeyIsReplacedOnlyWhenItDiffersAndTheOneItReplacesIsKept() throws Exception {
        Path dir = tmp.resolve("archive");
        SigningKey k1 = SigningKey.create(tmp.resolve("k1.pem"));
        SigningKey k2 = SigningKey.create(tmp.resolve("k2.pem"));
        Path published = DetachedSignatures.publish(dir, k1.publicKey());
        Object inode = Files.getAttribute(published, "unix:ino");
        DetachedSignatures.publish(dir, k1.publicKey());
        assertThat(Files.getAttribute(published, "unix:ino")).as("the same key is not written again").isEqualTo(inode);
        DetachedSignatures.publish(dir, k2.publicKey());
        assertThat(DetachedSignatures.published(dir).getEncoded()).isEqualTo(k2.publicKey().getEncoded());
        Path retired = dir.resolve("signing-key-" + SigningKey.fingerprint(k1.publicKey()).substring(0, 16) + ".pub.pem");
        assertThat(Files.readString(retired, StandardCharsets.US_ASCII)).isEqualTo(SigningKey.publicPem(k1.publicKey()));
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(retired.getFileName().toString(),
                    "signing-key.pub.pem");
        }
    }
}
