package io.qontrek.factorydr.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** OpenSSL's SHA-256 gives the JDK's on every length and split, and copies and resets as a digest does. */
class NativeSha256Test {
    @Test
    void theSystemsShaIsUsedAndGivesTheJdksHashWhateverTheSplit() throws Exception {
        // the tests need `openssl`, so its libcrypto is here: a binding that stopped loading must show
        assertThat(NativeSha256.WHY_NOT).as("libcrypto's SHA-256 not used").isNull();
        assertThat(Hashes.sha256()).isInstanceOf(NativeSha256.class);
        Random random = new Random(11);
        for (int length : new int[] {0, 1, 63, 64, 65, 8191, 8192, 8193, 65535, 65536, 65537, 300_000}) {
            byte[] input = new byte[length];
            random.nextBytes(input);
            byte[] expected = MessageDigest.getInstance("SHA-256", "SUN").digest(input);
            for (int split : new int[] {1, 7, 4096, 9000, 70_000}) {
                MessageDigest ours = Hashes.sha256();
                for (int at = 0; at < length; ) {
                    int n = Math.min(length - at, 1 + random.nextInt(split));
                    if (n == 1) ours.update(input[at]);
                    else ours.update(input, at, n);
                    at += n;
                }
                assertThat(ours.digest()).as("%d bytes in pieces up to %d", length, split).isEqualTo(expected);
                // after digest() it starts again, as the JDK's does
                assertThat(ours.digest(input)).isEqualTo(expected);
            }
        }
    }

    @Test
    void aCopyGoesOnFromTheSameStateAndAResetStartsAgain() throws Exception {
        MessageDigest jdk = MessageDigest.getInstance("SHA-256", "SUN");
        MessageDigest ours = Hashes.sha256();
        byte[] head = new byte[10_000];
        new Random(5).nextBytes(head);
        jdk.update(head);
        ours.update(head);
        ours.update((byte) 9);
        jdk.update((byte) 9);
        MessageDigest copy = (MessageDigest) ours.clone();
        MessageDigest jdkCopy = (MessageDigest) jdk.clone();
        ours.update(new byte[] {1, 2, 3});
        assertThat(copy.digest()).isEqualTo(jdkCopy.digest());
        jdk.update(new byte[] {1, 2, 3});
        assertThat(ours.digest()).isEqualTo(jdk.digest());
        ours.update(head);
        ours.reset();
        assertThat(ours.digest()).isEqualTo(jdk.digest());
        // a buffer too short for the hash is refused before it is taken, as the JDK's refuses it
        ours.update(head);
        jdk.update(head);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ours.digest(new byte[16], 0, 16))
                .isInstanceOf(java.security.DigestException.class);
        byte[] into = new byte[40];
        assertThat(ours.digest(into, 8, 32)).isEqualTo(32);
        assertThat(java.util.Arrays.copyOfRange(into, 8, 40)).isEqualTo(jdk.digest());
    }
}
