package io.qontrek.factorydr.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.BadPaddingException;
import javax.crypto.IllegalBlockSizeException;

/**
 * The {@code openssl enc -aes-256-cbc -pbkdf2 -iter 10000} file format, streaming both ways:
 * {@code "Salted__"}, an 8-byte random salt, then AES-256-CBC with PKCS#7 padding under the key and IV
 * taken from PBKDF2-HMAC-SHA256(password, salt, 10000, 48 bytes). Stock {@code openssl} reads what we
 * write and we read what it writes, so an operator can open an archive without factory-dr.
 *
 * <p>Why not camel-crypto's {@code CryptoDataFormat}: it has no {@code Salted__}/PBKDF2 framing (we
 * would wrap it anyway), and every marshal/unmarshal writes its whole output into an
 * {@code OutputStreamBuilder} (heap, or a spool file when stream caching spools) before the next step
 * starts. Archives must go tar, gzip, encrypt, file in one streaming pass with memory that does not
 * grow with the archive, so the cipher is a stream decorator here.
 *
 * <p>Why not {@link javax.crypto.CipherInputStream}: it swallows {@link BadPaddingException} at end of
 * stream, so a wrong key would read as a silently truncated archive. Our decrypting stream fails with
 * {@code "wrong key or corrupt archive"} instead.
 *
 * <p>The cipher is {@link AesCbc}: libcrypto's, on the CPU's AES instructions under either compiler,
 * or the JDK's. Chunks are 64 KiB: both are fast only on large calls.
 */
public final class OpensslCipher {
    static final byte[] MAGIC = "Salted__".getBytes(StandardCharsets.US_ASCII);
    static final int SALT_BYTES = 8;
    static final int HEADER_BYTES = MAGIC.length + SALT_BYTES;
    static final int ITERATIONS = 10_000;
    static final int CHUNK = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpensslCipher() {}

    /**
     * Encrypts everything written into {@code sink}. The header goes out with the first ciphertext (or at
     * close for empty input); {@code close()} writes the final padded block and closes {@code sink}.
     */
    public static OutputStream encrypting(OutputStream sink, byte[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return encrypting(sink, password, salt);
    }

    /** With a chosen salt, for reproducible tests only; a reused salt reuses key and IV. */
    static OutputStream encrypting(OutputStream sink, byte[] password, byte[] salt) {
        if (salt.length != SALT_BYTES) throw new IllegalArgumentException("salt must be 8 bytes");
        return new EncryptingOutputStream(sink, cipher(true, password, salt), salt);
    }

    /**
     * Reads and checks the header, then decrypts the rest of {@code source} as it is read. A wrong key or
     * damaged ciphertext fails with {@code "wrong key or corrupt archive"}, at the latest when the
     * padding is checked at end of stream. {@code close()} closes {@code source}.
     */
    public static InputStream decrypting(InputStream source, byte[] password) throws ArchiveException {
        byte[] header = new byte[HEADER_BYTES];
        int got;
        try {
            got = source.readNBytes(header, 0, HEADER_BYTES);
        } catch (IOException e) {
            throw new ArchiveException("cannot read openssl-enc header: " + e.getMessage(), e);
        }
        if (got < HEADER_BYTES || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ArchiveException("not an openssl-enc archive");
        }
        byte[] salt = Arrays.copyOfRange(header, MAGIC.length, HEADER_BYTES);
        return new DecryptingInputStream(source, cipher(false, password, salt));
    }

    /** PBKDF2-HMAC-SHA256(password, salt, 10000, 48 bytes), as {@code openssl enc -pbkdf2} derives them: the AES key, then the IV. */
    static byte[] keyAndIv(byte[] password, byte[] salt) {
        if (password == null || password.length == 0) {
            throw new IllegalArgumentException("archive encryption key is empty");
        }
        byte[] bySystem = Libcrypto.pbkdf2Sha256(password, salt, ITERATIONS, 48);
        return bySystem != null ? bySystem : pbkdf2Sha256(password, salt, ITERATIONS, 48);
    }

    /**
     * PBKDF2-HMAC-SHA256 over the password's raw bytes, in Java, where {@link Libcrypto} is not loaded.
     * Written out (RFC 8018 section 5.2) because the JDK's PBKDF2 takes {@code char[]} and would re-encode
     * them. The HMAC's padded keys are hashed once and their SHA-256 states copied for each HMAC (RFC 2104,
     * section 4): two SHA-256 blocks per HMAC instead of four.
     */
    static byte[] pbkdf2Sha256(byte[] password, byte[] salt, int iterations, int length) {
        // the JDK's digest: 40,000 copies of a state of a few words each, where NativeSha256 would copy its buffers
        MessageDigest inner = jdkSha256();
        MessageDigest outer = jdkSha256();
        byte[] key = password.length > 64 ? jdkSha256().digest(password) : password;
        for (int i = 0; i < 64; i++) {
            byte k = i < key.length ? key[i] : 0;
            inner.update((byte) (k ^ 0x36));
            outer.update((byte) (k ^ 0x5c));
        }
        byte[] out = new byte[length];
        byte[] u = new byte[32];
        for (int block = 1, done = 0; done < out.length; block++) {
            hmac(inner, outer, u, salt, new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
            byte[] t = u.clone();
            for (int i = 1; i < iterations; i++) {
                hmac(inner, outer, u, u);
                for (int j = 0; j < t.length; j++) t[j] ^= u[j];
            }
            int n = Math.min(t.length, out.length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        return out;
    }

    private static MessageDigest jdkSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    /** HMAC-SHA256 of the parts into {@code into} (32 bytes), from the padded keys' hashed states. */
    private static void hmac(MessageDigest inner, MessageDigest outer, byte[] into, byte[]... parts) {
        try {
            MessageDigest in = (MessageDigest) inner.clone();
            for (byte[] part : parts) in.update(part);
            in.digest(into, 0, 32);
            MessageDigest out = (MessageDigest) outer.clone();
            out.update(into);
            out.digest(into, 0, 32);
        } catch (CloneNotSupportedException | java.security.DigestException e) {
            throw new IllegalStateException("this JVM's SHA-256 cannot be copied", e);
        }
    }

    private static AesCbc cipher(boolean encrypt, byte[] password, byte[] salt) {
        byte[] keyIv = keyAndIv(password, salt);
        try {
            return AesCbc.of(encrypt, keyIv);
        } finally {
            Arrays.fill(keyIv, (byte) 0);
        }
    }

    /** Buffers small writes to 64 KiB so the cipher always gets large chunks. */
    private static final class EncryptingOutputStream extends OutputStream {
        private final OutputStream sink;
        private final AesCbc cipher;
        private final byte[] header;
        private final byte[] plain = new byte[CHUNK];
        private final byte[] encrypted = new byte[CHUNK + 32];
        private int buffered;
        private boolean headerWritten;
        private boolean closed;

        EncryptingOutputStream(OutputStream sink, AesCbc cipher, byte[] salt) {
            this.sink = sink;
            this.cipher = cipher;
            this.header = Arrays.copyOf(MAGIC, HEADER_BYTES);
            System.arraycopy(salt, 0, header, MAGIC.length, SALT_BYTES);
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            if (buffered == plain.length) encryptBuffered();
            plain[buffered++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            while (len > 0) {
                if (buffered == 0 && len >= CHUNK) {
                    encrypt(b, off, CHUNK);
                    off += CHUNK;
                    len -= CHUNK;
                    continue;
                }
                int n = Math.min(len, plain.length - buffered);
                System.arraycopy(b, off, plain, buffered, n);
                buffered += n;
                off += n;
                len -= n;
                if (buffered == plain.length) encryptBuffered();
            }
        }

        @Override
        public void flush() throws IOException {
            ensureOpen();
            encryptBuffered();
            sink.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            try (sink; cipher) {
                encryptBuffered();
                int n = cipher.doFinal(encrypted, 0);
                writeOut(n);
            } catch (IllegalBlockSizeException | BadPaddingException e) {
                throw new IllegalStateException("AES encryption cannot fail on padding: " + e, e);
            }
        }

        private void encryptBuffered() throws IOException {
            if (buffered > 0) {
                encrypt(plain, 0, buffered);
                buffered = 0;
            }
        }

        private void encrypt(byte[] b, int off, int len) throws IOException {
            writeOut(cipher.update(b, off, len, encrypted, 0));
        }

        private void writeOut(int n) throws IOException {
            if (!headerWritten) {
                sink.write(header);
                headerWritten = true;
            }
            if (n > 0) sink.write(encrypted, 0, n);
        }

        private void ensureOpen() throws IOException {
            if (closed) throw new IOException("encrypting stream is closed");
        }
    }

    /** AesCbc.update/doFinal over 64 KiB reads; a padding failure becomes an ArchiveException. */
    private static final class DecryptingInputStream extends InputStream {
        private final InputStream source;
        private final AesCbc cipher;
        private final byte[] encrypted = new byte[CHUNK];
        private final byte[] plain = new byte[CHUNK + 32];
        private int pos;
        private int limit;
        private boolean finished;
        private ArchiveException failure;

        DecryptingInputStream(InputStream source, AesCbc cipher) {
            this.source = source;
            this.cipher = cipher;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) return -1;
            return plain[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (!fill()) return -1;
            int n = Math.min(len, limit - pos);
            System.arraycopy(plain, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return limit - pos;
        }

        @Override
        public void close() throws IOException {
            try (source) {
                cipher.close();
            }
        }

        /** True when plaintext is waiting in the buffer; false at the (verified) end of stream. */
        private boolean fill() throws IOException {
            while (pos == limit) {
                if (failure != null) throw new ArchiveException(failure.getMessage(), failure);
                if (finished) return false;
                pos = 0;
                int n = source.read(encrypted);
                try {
                    if (n < 0) {
                        finished = true;
                        limit = cipher.doFinal(plain, 0);
                    } else {
                        limit = cipher.update(encrypted, 0, n, plain, 0);
                    }
                } catch (BadPaddingException | IllegalBlockSizeException e) {
                    limit = 0;
                    failure = new ArchiveException("wrong key or corrupt archive", e);
                    throw failure;
                }
            }
            return true;
        }
    }
}
