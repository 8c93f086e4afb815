package io.qontrek.factorydr.common;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SHA-256 and HMAC-SHA256 as the contract uses them: UTF-8 text in, lowercase hex out. */
public final class Hashes {
    private Hashes() {}

    /** OpenSSL's where it is installed and agrees with the JDK's ({@link NativeSha256}), else the JDK's. */
    public static MessageDigest sha256() {
        try {
            return NativeSha256.orJdk();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    public static String sha256Hex(byte[] bytes) {
        return Hex.encode(sha256().digest(bytes));
    }

    public static String sha256Hex(String utf8) {
        return sha256Hex(utf8.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 of a file's content, streamed. */
    public static String sha256Hex(java.nio.file.Path file) throws java.io.IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return Hex.encode(md.digest());
    }

    public static Mac hmacSha256(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from this JVM", e);
        }
    }

    public static String hmacSha256Hex(String keyUtf8, String msgUtf8) {
        return hmacSha256Hex(keyUtf8.getBytes(StandardCharsets.UTF_8), msgUtf8.getBytes(StandardCharsets.UTF_8));
    }

    public static String hmacSha256Hex(byte[] key, byte[] msg) {
        return Hex.encode(hmacSha256(key).doFinal(msg));
    }

    /** Constant-time comparison of two hex strings, for signatures. */
    public static boolean sameHex(String a, String b) {
        if (a == null || b == null) return false;
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
