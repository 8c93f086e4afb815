package io.qontrek.factorydr.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-pass signer against the JDK's Ed25519 (the one behind camel-crypto): Ed25519 is
 * deterministic, so both must write the same 64 bytes for every key and message; and against
 * openssl, which must verify a file too large for the in-memory signer. Each check both ways.
 */
class StreamingEd25519Test {
    @TempDir Path tmp;

    private static final BigInteger ORDER = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

    @Test
    void signsByteForByteAsTheJdkDoesAcrossBufferBoundaries() throws Exception {
        Random random = new Random(7);
        for (int size : new int[] {0, 1, 31, 65_535, 65_536, 65_537, 1_000_003}) {
            SigningKey key = SigningKey.create(tmp.resolve("key-" + size + ".pem"));
            byte[] message = new byte[size];
            random.nextBytes(message);
            Path file = Files.write(tmp.resolve("m-" + size), message);

            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initSign(key.privateKey());
            jdk.update(message);
            byte[] expected = jdk.sign();
            byte[] ours = StreamingEd25519.sign(file, key.privateKey());
            assertThat(ours).as("size %d", size).isEqualTo(expected);

            assertThat(StreamingEd25519.verify(file, ours, key.publicKey())).as("size %d", size).isTrue();
            Signature check = Signature.getInstance("Ed25519");
            check.initVerify(key.publicKey());
            check.update(message);
            assertThat(check.verify(ours)).isTrue();
        }
    }

    @Test
    void refusesAChangedByteAnotherKeyAMalleableSAndAWrongLength() throws Exception {
        SigningKey key = SigningKey.create(tmp.resolve("key.pem"));
        SigningKey other = SigningKey.create(tmp.resolve("other.pem"));
        byte[] message = new byte[200_000];
        new Random(11).nextBytes(message);
        Path file = Files.write(tmp.resolve("m"), message);
        byte[] sig = StreamingEd25519.sign(file, key.privateKey());
        assertThat(StreamingEd25519.verify(file, sig, key.publicKey())).isTrue();

        assertThat(StreamingEd25519.verify(file, sig, other.publicKey())).as("another key").isFalse();
        byte[] flippedSig = sig.clone();
        flippedSig[40] ^= 1;
        assertThat(StreamingEd25519.verify(file, flippedSig, key.publicKey())).as("a changed signature byte").isFalse();
        assertThat(StreamingEd25519.verify(file, Arrays.copyOf(sig, 63), key.publicKey())).as("63 bytes").isFalse();

        // S + L verifies under the cofactorless equation alone; RFC 8032 requires S < L
        BigInteger s = new BigInteger(1, reverse(Arrays.copyOfRange(sig, 32, 64)));
        byte[] sPlusL = reverse(toFixed(s.add(ORDER)));
        byte[] malleable = Arrays.copyOf(sig, 64);
        System.arraycopy(sPlusL, 0, malleable, 32, 32);
        assertThat(StreamingEd25519.verify(file, malleable, key.publicKey())).as("S + L").isFalse();

        message[123_456] ^= 1;
        Files.write(file, message);
        assertThat(StreamingEd25519.verify(file, sig, key.publicKey())).as("a changed file byte").isFalse();
    }

    @Test
    void opensslVerifiesAFileOverTheInMemoryLimitAndRefusesItChanged() throws Exception {
        Path keyFile = tmp.resolve("key.pem");
        SigningKey key = SigningKey.create(keyFile);
        Path pub = Files.writeString(tmp.resolve("pub.pem"), SigningKey.publicPem(key.publicKey()));
        Path file = tmp.resolve("manifest.json");
        byte[] chunk = "{\"path\":\"proof/proof-000000000001.json\",\"size\":123,\"sha256\":\"00\"},\n".repeat(1000).getBytes();
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written <= 40L << 20; written += chunk.length) out.write(chunk);
        }
        Path sig = DetachedSignatures.write(file, StreamingEd25519.sign(file, key.privateKey()));
        assertThat(openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in", file.toString(),
                "-sigfile", sig.toString())).isZero();

        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {'X'}), 30L << 20);
        }
        assertThat(openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in", file.toString(),
                "-sigfile", sig.toString())).isEqualTo(1);
        assertThat(StreamingEd25519.verify(file, Files.readAllBytes(sig), key.publicKey())).isFalse();
    }

    private int openssl(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("openssl.out").toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return p.exitValue();
    }

    private static byte[] reverse(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) r[i] = b[b.length - 1 - i];
        return r;
    }

    private static byte[] toFixed(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    /**
     * A message that reads the same bytes on both passes signs as the JDK does; one whose second pass
     * reads other bytes is refused, where the signature would otherwise be a valid one over the second
     * content with the first content's nonce.
     */
    @Test
    void aFileThatChangesBetweenThePassesIsNotSigned() throws Exception {
        SigningKey key = SigningKey.create(tmp.resolve("key.pem"));
        byte[] first = "the manifest as written".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] other = "the manifest, changed!!".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        java.util.Iterator<byte[]> same = java.util.List.of(first, first).iterator();
        byte[] ours = StreamingEd25519.sign(() -> new java.io.ByteArrayInputStream(same.next()), "m", key.privateKey());
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initSign(key.privateKey());
        jdk.update(first);
        assertThat(ours).isEqualTo(jdk.sign());

        java.util.Iterator<byte[]> changed = java.util.List.of(first, other).iterator();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> StreamingEd25519.sign(() -> new java.io.ByteArrayInputStream(changed.next()), "m", key.privateKey()))
                .isInstanceOf(java.io.IOException.class).hasMessage("m changed while it was being signed: not signed");
    }
}
