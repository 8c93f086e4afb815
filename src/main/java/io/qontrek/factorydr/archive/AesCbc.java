package io.qontrek.factorydr.archive;

import java.io.Closeable;
import java.security.GeneralSecurityException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-CBC with PKCS#7 padding, one direction, over calls of at most {@link OpensslCipher#CHUNK}
 * bytes: by the system's libcrypto where {@link Libcrypto#CIPHER_WHY_NOT} is null, else by the JDK's
 * {@link Cipher}. The JDK runs AES on the CPU's instructions only in code its second compiler has
 * compiled; libcrypto does from the first block, under any compiler (the launcher's short commands
 * run with the quick one alone). {@link #close()} frees and clears the key schedule.
 */
abstract class AesCbc implements Closeable {
    /** Output room one call needs beyond its input: a block of padding, and one held back when decrypting. */
    static final int SLACK = 32;

    /** keyIv: the 32-byte key then the 16-byte IV, as {@link OpensslCipher#keyAndIv} derives them; not kept. */
    static AesCbc of(boolean encrypt, byte[] keyIv) {
        return Libcrypto.CIPHER_WHY_NOT == null ? new Libcrypto.Aes256Cbc(encrypt, keyIv) : new Jdk(encrypt, keyIv);
    }

    /** Up to {@code length + SLACK} bytes into out at outOffset; how many. */
    abstract int update(byte[] in, int offset, int length, byte[] out, int outOffset);

    /** The last block: padding added, or checked and taken off. */
    abstract int doFinal(byte[] out, int outOffset) throws BadPaddingException, IllegalBlockSizeException;

    @Override
    public abstract void close();

    /** The JDK's, where libcrypto is not used. */
    static final class Jdk extends AesCbc {
        private final Cipher cipher;

        Jdk(boolean encrypt, byte[] keyIv) {
            try {
                cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
                cipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(keyIv, 0, 32, "AES"),
                        new IvParameterSpec(keyIv, 32, 16));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/CBC/PKCS5Padding missing from this JVM", e);
            }
        }

        @Override
        int update(byte[] in, int offset, int length, byte[] out, int outOffset) {
            try {
                return cipher.update(in, offset, length, out, outOffset);
            } catch (ShortBufferException e) {
                throw new IllegalStateException("cipher output buffer too small", e);
            }
        }

        @Override
        int doFinal(byte[] out, int outOffset) throws BadPaddingException, IllegalBlockSizeException {
            try {
                return cipher.doFinal(out, outOffset);
            } catch (ShortBufferException e) {
                throw new IllegalStateException("cipher output buffer too small", e);
            }
        }

        @Override
        public void close() {
            // the JDK's key schedule goes with the object
        }
    }
}
