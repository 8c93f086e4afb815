package io.qontrek.factorydr.signing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import net.i2p.crypto.eddsa.math.GroupElement;
import net.i2p.crypto.eddsa.spec.EdDSANamedCurveSpec;
import net.i2p.crypto.eddsa.spec.EdDSANamedCurveTable;
import net.i2p.crypto.eddsa.spec.EdDSAPrivateKeySpec;
import net.i2p.crypto.eddsa.spec.EdDSAPublicKeySpec;

/**
 * Pure Ed25519 (RFC 8032 5.1.6 and 5.1.7) over a file read from disk, never held whole: the signature
 * of a manifest sidecar too large for the heap (a million files is 240 MB), byte for byte the one
 * camel-crypto's {@code crypto:sign} makes of a small file, so openssl checks either the same way.
 *
 * <p>Pure Ed25519 hashes the message twice, the second time after the first hash's nonce has made R,
 * and the JDK (behind camel-crypto) keeps the message in memory for that. Here each pass reads the file
 * again. The curve arithmetic is EdDSA-Java's (constant-time base-point multiplication, the scalar
 * reduction), the hashing the JDK's SHA-512. Verification also checks S &lt; L (RFC 8032 5.1.7 step 1),
 * which EdDSA-Java 0.3.0 itself leaves out.
 *
 * <p>The file must not change between the passes: both callers sign a file they have just written
 * under a staging name. Each pass also takes the SHA-256 of the bytes it read, and signing fails when
 * the two differ: a nonce from one content with a hash of another would give a valid signature of bytes
 * nobody meant to sign, and two such signatures sharing R would give away the private key.
 */
public final class StreamingEd25519 {
    private static final EdDSANamedCurveSpec CURVE = EdDSANamedCurveTable.getByName(EdDSANamedCurveTable.ED_25519);
    /** The group order L, little-endian (RFC 8032 5.1). */
    private static final byte[] ORDER = le("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed");
    private static final int KEY_LENGTH = 32;
    /** SubjectPublicKeyInfo of an Ed25519 key up to the key's 32 bytes: SEQUENCE, AlgorithmIdentifier 1.3.101.112, BIT STRING. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final int BUFFER = 1 << 16;

    private StreamingEd25519() {}

    /** The raw 64-byte signature (R || S) of the file's exact bytes. */
    public static byte[] sign(Path file, PrivateKey key) throws IOException {
        return sign(() -> Files.newInputStream(file), file.toString(), key);
    }

    /** A message that can be read again from its start, once per pass. */
    @FunctionalInterface
    interface Source {
        InputStream open() throws IOException;
    }

    /** The signature of what {@code message} reads, each pass from a new stream; {@code name} for the refusal. */
    static byte[] sign(Source message, String name, PrivateKey key) throws IOException {
        byte[] seed = ((EdECPrivateKey) key).getBytes()
                .orElseThrow(() -> new IllegalArgumentException("the Ed25519 private key does not give its seed"));
        EdDSAPrivateKeySpec spec = new EdDSAPrivateKeySpec(seed, CURVE);
        byte[] h = spec.getH();
        // r = SHA-512(prefix || M) mod L, prefix being the second half of SHA-512(seed)
        MessageDigest first = digest("SHA-256");
        byte[] r = CURVE.getScalarOps().reduce(hash(message, first, Arrays.copyOfRange(h, KEY_LENGTH, 2 * KEY_LENGTH)));
        byte[] big = CURVE.getB().scalarMultiply(r).toByteArray();
        // k = SHA-512(R || A || M) mod L; S = (r + k * a) mod L
        MessageDigest second = digest("SHA-256");
        byte[] k = CURVE.getScalarOps().reduce(hash(message, second, big, spec.getA().toByteArray()));
        if (!MessageDigest.isEqual(first.digest(), second.digest())) {
            throw new IOException(name + " changed while it was being signed: not signed");
        }
        byte[] s = CURVE.getScalarOps().multiplyAndAdd(k, spec.geta(), r);
        byte[] signature = Arrays.copyOf(big, 2 * KEY_LENGTH);
        System.arraycopy(s, 0, signature, KEY_LENGTH, KEY_LENGTH);
        return signature;
    }

    /** Whether {@code signature} is a valid Ed25519 signature of the file's exact bytes by {@code key}. */
    public static boolean verify(Path file, byte[] signature, PublicKey key) throws IOException {
        if (signature.length != 2 * KEY_LENGTH) return false;
        byte[] a = rawPublicKey(key);
        byte[] big = Arrays.copyOfRange(signature, 0, KEY_LENGTH);
        byte[] s = Arrays.copyOfRange(signature, KEY_LENGTH, 2 * KEY_LENGTH);
        if (!belowOrder(s)) return false;
        EdDSAPublicKeySpec spec;
        try {
            spec = new EdDSAPublicKeySpec(a, CURVE);
        } catch (IllegalArgumentException notAPoint) {
            return false;
        }
        byte[] k = CURVE.getScalarOps().reduce(hash(() -> Files.newInputStream(file), null, big, a));
        // [S]B - [k]A must encode as R
        GroupElement check = CURVE.getB().doubleScalarMultiplyVariableTime(spec.getNegativeA(), k, s);
        return MessageDigest.isEqual(check.toByteArray(), big);
    }

    /** The 32-byte encoded point of an Ed25519 public key (the tail of its X.509 SubjectPublicKeyInfo). */
    static byte[] rawPublicKey(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der == null || der.length != SPKI_PREFIX.length + KEY_LENGTH
                || !Arrays.equals(der, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(der, SPKI_PREFIX.length, der.length);
    }

    /** SHA-512 of the prefixes and the message; {@code alsoFile}, when given, is fed the message's bytes too. */
    private static byte[] hash(Source message, MessageDigest alsoFile, byte[]... prefixes) throws IOException {
        MessageDigest sha512 = digest("SHA-512");
        for (byte[] p : prefixes) sha512.update(p);
        byte[] buf = new byte[BUFFER];
        try (InputStream in = message.open()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha512.update(buf, 0, n);
                if (alsoFile != null) alsoFile.update(buf, 0, n);
            }
        }
        return sha512.digest();
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no " + algorithm, e);
        }
    }

    /** Whether a little-endian 32-byte scalar is below L. */
    private static boolean belowOrder(byte[] s) {
        for (int i = KEY_LENGTH - 1; i >= 0; i--) {
            int x = s[i] & 0xff;
            int l = ORDER[i] & 0xff;
            if (x != l) return x < l;
        }
        return false;
    }

    private static byte[] le(String bigEndianHex) {
        byte[] b = new byte[bigEndianHex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[b.length - 1 - i] = (byte) Integer.parseInt(bigEndianHex.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
