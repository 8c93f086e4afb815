package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.common.Hex;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Interoperability with the real OpenSSL 3 {@code enc}, both ways, plus the failure messages. */
class OpensslCipherTest {
    private static final String KEY = "correct horse battery staple";
    private static final byte[] PASSWORD = KEY.getBytes(StandardCharsets.UTF_8);
    private static final Map<String, String> ENV = Map.of("K", KEY);
    private static final String OPENSSL = "openssl enc -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K";

    @TempDir Path dir;

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 65536, 5_000_000})
    void opensslDecryptsWhatWeEncrypt(int size) throws Exception {
        byte[] plain = random(size);
        Path enc = dir.resolve("x.enc");
        try (OutputStream out = OpensslCipher.encrypting(Files.newOutputStream(enc), PASSWORD)) {
            // uneven chunks exercise the buffering paths: single bytes, small writes, large writes
            int pos = 0;
            for (int chunk = 1; pos < plain.length; chunk = chunk * 3 + 1) {
                int n = Math.min(chunk, plain.length - pos);
                if (n == 1) out.write(plain[pos]);
                else out.write(plain, pos, n);
                pos += n;
            }
        }
        byte[] written = Files.readAllBytes(enc);
        assertThat(new String(written, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("Salted__");
        assertThat(written.length).isEqualTo(16 + (size / 16 + 1) * 16);

        Tools.bash(dir, ENV, OPENSSL + " -d -in x.enc -out x.plain").ok();
        assertThat(Files.readAllBytes(dir.resolve("x.plain"))).isEqualTo(plain);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 5_000_000})
    void weDecryptWhatOpensslEncrypts(int size) throws Exception {
        byte[] plain = random(size);
        Files.write(dir.resolve("x.plain"), plain);
        Tools.bash(dir, ENV, OPENSSL + " -in x.plain -out x.enc").ok();
        try (InputStream in = OpensslCipher.decrypting(Files.newInputStream(dir.resolve("x.enc")), PASSWORD)) {
            assertThat(in.readAllBytes()).isEqualTo(plain);
        }
    }

    @Test
    void wrongPasswordFailsOnOurSide() throws Exception {
        Files.write(dir.resolve("x.plain"), random(100_000));
        // Fixed salt, so the wrong key's padding outcome is the same on every run. OpenSSL 3 omits the
        // Salted__ header when given -S, so the test writes it, as openssl itself does for a random salt.
        Tools.bash(dir, ENV, "{ printf 'Salted__\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08'; "
                + OPENSSL + " -S 0102030405060708 -in x.plain; } > x.enc").ok();
        try (InputStream in = OpensslCipher.decrypting(Files.newInputStream(dir.resolve("x.enc")), "wrong".getBytes(StandardCharsets.UTF_8))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(ArchiveException.class).hasMessage("wrong key or corrupt archive");
        }
    }

    @Test
    void wrongPasswordFailsInOpenssl() throws Exception {
        Path enc = dir.resolve("x.enc");
        try (OutputStream out = OpensslCipher.encrypting(Files.newOutputStream(enc), PASSWORD, Hex.decode("0102030405060708"))) {
            out.write(random(100_000));
        }
        Tools.Result r = Tools.bash(dir, Map.of("K", "wrong"), OPENSSL + " -d -in x.enc -out /dev/null");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("bad decrypt");
    }

    @Test
    void truncatedCiphertextFails() throws Exception {
        Files.write(dir.resolve("x.plain"), random(1000));
        Tools.bash(dir, ENV, OPENSSL + " -in x.plain -out x.enc").ok();
        byte[] enc = Files.readAllBytes(dir.resolve("x.enc"));
        byte[] cut = java.util.Arrays.copyOf(enc, enc.length - 5);
        try (InputStream in = OpensslCipher.decrypting(new ByteArrayInputStream(cut), PASSWORD)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(ArchiveException.class).hasMessage("wrong key or corrupt archive");
            // and it keeps failing rather than looking like a clean end of stream
            assertThatThrownBy(in::read).isInstanceOf(ArchiveException.class);
        }
    }

    @Test
    void notSaltedIsRefused() {
        assertThatThrownBy(() -> OpensslCipher.decrypting(new ByteArrayInputStream("plain text, not encrypted".getBytes()), PASSWORD))
                .isInstanceOf(ArchiveException.class).hasMessage("not an openssl-enc archive");
        assertThatThrownBy(() -> OpensslCipher.decrypting(new ByteArrayInputStream("Salted__".getBytes()), PASSWORD))
                .isInstanceOf(ArchiveException.class).hasMessage("not an openssl-enc archive");
        assertThatThrownBy(() -> OpensslCipher.decrypting(new ByteArrayInputStream(new byte[0]), PASSWORD))
                .isInstanceOf(ArchiveException.class).hasMessage("not an openssl-enc archive");
    }

    @Test
    void keyAndIvAreWhatOpensslDerives() throws Exception {
        Tools.Result r = Tools.bash(dir, ENV, OPENSSL + " -S 0a0b0c0d0e0f1011 -P").ok();
        String key = r.stdout().replaceAll("(?s).*key=([0-9A-F]+).*", "$1").toLowerCase();
        String iv = r.stdout().replaceAll("(?s).*iv =([0-9A-F]+).*", "$1").toLowerCase();
        assertThat(Hex.encode(OpensslCipher.keyAndIv(PASSWORD, Hex.decode("0a0b0c0d0e0f1011")))).isEqualTo(key + iv);
    }

    @Test
    void keyAndIvAgreeWithTheJdkPbkdf2ForAsciiPasswords() throws Exception {
        byte[] salt = Hex.decode("0011223344556677");
        byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(KEY.toCharArray(), salt, 10_000, 384)).getEncoded();
        assertThat(OpensslCipher.keyAndIv(PASSWORD, salt)).isEqualTo(jdk);
    }

    @Test
    void theSystemsLibcryptoIsUsedAndDerivesWhatTheJavaDerivationDoes() throws Exception {
        // the tests need `openssl`, so its libcrypto is here: a binding that stopped loading must show
        assertThat(Libcrypto.WHY_NOT).as("libcrypto not used").isNull();
        byte[] salt = Hex.decode("f0e1d2c3b4a59687");
        byte[] long65 = new byte[65];
        Arrays.fill(long65, (byte) 'k');
        for (byte[] password : List.of(PASSWORD, "x".getBytes(StandardCharsets.US_ASCII), new byte[64], long65,
                new byte[] {(byte) 0xff, (byte) 0xfe, 0, 'a'} /* not UTF-8, with a NUL */)) {
            assertThat(Libcrypto.pbkdf2Sha256(password, salt, OpensslCipher.ITERATIONS, 48)).as(Hex.encode(password))
                    .isEqualTo(OpensslCipher.pbkdf2Sha256(password, salt, OpensslCipher.ITERATIONS, 48));
        }
        assertThat(OpensslCipher.keyAndIv(PASSWORD, salt)).isEqualTo(OpensslCipher.pbkdf2Sha256(PASSWORD, salt, OpensslCipher.ITERATIONS, 48));
    }

    @Test
    void theSystemsAesIsUsedAndAgreesWithTheJdksEachWay() throws Exception {
        assertThat(Libcrypto.CIPHER_WHY_NOT).as("libcrypto's AES not used").isNull();
        byte[] keyIv = random(48);
        Random random = new Random(3);
        for (int size : new int[] {0, 1, 15, 16, 17, OpensslCipher.CHUNK, 3 * OpensslCipher.CHUNK + 5}) {
            byte[] plain = random(size);
            byte[] ours = through(new Libcrypto.Aes256Cbc(true, keyIv), plain, random);
            assertThat(ours).as("%d bytes", size).isEqualTo(through(new AesCbc.Jdk(true, keyIv), plain, random));
            assertThat(through(new Libcrypto.Aes256Cbc(false, keyIv), ours, random)).isEqualTo(plain);
        }
        // a wrong key's padding is refused as the JDK refuses it: the "wrong key" of decrypting()
        byte[] sealed = through(new Libcrypto.Aes256Cbc(true, keyIv), random(100), random);
        byte[] otherKey = keyIv.clone();
        otherKey[0] ^= 1;
        assertThatThrownBy(() -> through(new Libcrypto.Aes256Cbc(false, otherKey), sealed, random))
                .isInstanceOf(javax.crypto.BadPaddingException.class);
        try (AesCbc cipher = new Libcrypto.Aes256Cbc(true, keyIv)) { // refused before libcrypto takes the input
            assertThatThrownBy(() -> cipher.update(new byte[100], 0, 100, new byte[100], 0)).isInstanceOf(IllegalArgumentException.class);
            assertThat(cipher.update(new byte[100], 0, 100, new byte[100 + AesCbc.SLACK], 0)).isEqualTo(96);
        }
        AesCbc closed = new Libcrypto.Aes256Cbc(false, keyIv);
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.update(sealed, 0, 16, new byte[64], 0)).isInstanceOf(IllegalStateException.class);
    }

    /** The whole input through the cipher in random pieces of at most one chunk. */
    private static byte[] through(AesCbc cipher, byte[] input, Random random) throws Exception {
        try (cipher) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[OpensslCipher.CHUNK + AesCbc.SLACK];
            for (int at = 0; at < input.length; ) {
                int n = Math.min(input.length - at, 1 + random.nextInt(OpensslCipher.CHUNK));
                out.write(buffer, 0, cipher.update(input, at, n, buffer, 0));
                at += n;
            }
            out.write(buffer, 0, cipher.doFinal(buffer, 0));
            return out.toByteArray();
        }
    }

    @Test
    void emptyPasswordIsAConfigurationError() {
        assertThatThrownBy(() -> OpensslCipher.encrypting(OutputStream.nullOutputStream(), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }
}
