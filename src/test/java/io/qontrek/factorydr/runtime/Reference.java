package io.qontrek.factorydr.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The contract's hashes written out again straight from its text with the JCA, sharing no code with
 * the classes under test, so a test compares two independent readings of the contract.
 */
final class Reference {
    private static final HexFormat HEX = HexFormat.of();

    private Reference() {}

    /** RFC 6962 2.1, recursively and literally: split at the largest power of two below n. */
    static byte[] mth(List<byte[]> d) throws Exception {
        int n = d.size();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        if (n == 0) {
            return sha.digest();
        }
        if (n == 1) {
            sha.update((byte) 0);
            return sha.digest(d.get(0));
        }
        int k = 1;
        while (k * 2 < n) k *= 2;
        sha.update((byte) 1);
        sha.update(mth(d.subList(0, k)));
        return sha.digest(mth(d.subList(k, n)));
    }

    static String mthHex(List<String> hexLeaves) throws Exception {
        return HEX.formatHex(mth(hexLeaves.stream().map(HEX::parseHex).toList()));
    }

    static String sha256(String utf8) throws Exception {
        return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(utf8.getBytes(StandardCharsets.UTF_8)));
    }

    static String hmac(String key, String msg) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HEX.formatHex(mac.doFinal(msg.getBytes(StandardCharsets.UTF_8)));
    }

    static String zero() {
        char[] z = new char[64];
        Arrays.fill(z, '0');
        return new String(z);
    }
}
