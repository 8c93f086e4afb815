package io.qontrek.factorydr.archive;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Arrays;
import javax.crypto.BadPaddingException;
import org.slf4j.LoggerFactory;

/**
 * The system's OpenSSL libcrypto (the library behind the `openssl` every archive is compatible with;
 * Debian's libssl3, soname libcrypto.so.3), bound through JNA for the archive's cipher: PKCS5_PBKDF2_HMAC,
 * the archive key's derivation, and AES-256-CBC ({@link Aes256Cbc}). For the derivation: There its 20,000 HMACs run on the CPU's SHA-256 instructions, about 6 ms,
 * where the JDK's SHA-256 takes 70-80 ms under the quick compiler (the launcher's short commands) and
 * up to 140 ms at the start of a long one: a backup pays it twice (write, read-back), every verify and
 * restore once, before its first byte.
 *
 * <p>Null where it is not installed, or where its answer differs from {@link OpensslCipher}'s own
 * derivation on a short known input (checked once, at load): then the key is derived in Java.
 */
final class Libcrypto {
    /** The calls used, as declared in openssl/evp.h and openssl/err.h (int is 32 bits there as here). */
    interface Calls extends Library {
        Pointer EVP_sha256();

        int PKCS5_PBKDF2_HMAC(Pointer pass, int passLength, byte[] salt, int saltLength, int iterations, Pointer digest,
                int keyLength, Pointer out);

        void ERR_clear_error();

        Pointer EVP_aes_256_cbc();

        Pointer EVP_CIPHER_CTX_new();

        void EVP_CIPHER_CTX_free(Pointer ctx);

        int EVP_CipherInit_ex(Pointer ctx, Pointer cipher, Pointer engine, Pointer key, Pointer iv, int encrypt);

        int EVP_CipherUpdate(Pointer ctx, Pointer out, Pointer outLength, Pointer in, int inLength);

        int EVP_CipherFinal_ex(Pointer ctx, Pointer out, Pointer outLength);
    }

    private static final Calls LIB;
    /** Why it is not used, or null. */
    static final String WHY_NOT;
    /** Why its AES-256-CBC is not used ({@link AesCbc} then takes the JDK's), or null. */
    static final String CIPHER_WHY_NOT;

    static {
        Calls lib = null;
        String why = null;
        // versioned names only: an unversioned libcrypto is a -dev package's link (and on macOS a refused load)
        for (String name : new String[] {"libcrypto.so.3", "libcrypto.so.1.1"}) {
            try {
                Calls loaded = Native.load(name, Calls.class);
                byte[] password = "factory-dr".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] salt = {1, 2, 3, 4, 5, 6, 7, 8};
                byte[] derived = pbkdf2Sha256(loaded, password, salt, 3, 48);
                if (derived == null) {
                    why = name + " refuses PBKDF2 here (a FIPS-only policy?)";
                } else if (!Arrays.equals(derived, OpensslCipher.pbkdf2Sha256(password, salt, 3, 48))) {
                    why = name + " derives another key than PBKDF2-HMAC-SHA256 gives";
                } else {
                    lib = loaded;
                    why = null;
                }
                break;
            } catch (UnsatisfiedLinkError e) { // not there, or without the calls
                why = e.getMessage() == null ? "not found" : e.getMessage().lines().findFirst().orElse("not found");
            } catch (LinkageError e) {
                why = "JNA cannot load: " + e; // its native part, e.g. under a noexec temporary directory
                break;
            }
        }
        LIB = lib;
        WHY_NOT = why;
        if (lib == null) LoggerFactory.getLogger(Libcrypto.class).info("OpenSSL's libcrypto is not used ({}): archive keys are derived in Java", why);
        CIPHER_WHY_NOT = lib == null ? why : cipherCheck();
        if (lib != null && CIPHER_WHY_NOT != null) LoggerFactory.getLogger(Libcrypto.class).info("the JDK's AES is used: {}", CIPHER_WHY_NOT);
    }

    /** Null where libcrypto's AES-256-CBC gives the JDK's ciphertext for a known key and input, and back. */
    private static String cipherCheck() {
        byte[] keyIv = new byte[48];
        byte[] plain = new byte[1000];
        for (int i = 0; i < keyIv.length; i++) keyIv[i] = (byte) (i * 7 + 1);
        for (int i = 0; i < plain.length; i++) plain[i] = (byte) (i * 31);
        try {
            byte[] ours = run(new Aes256Cbc(true, keyIv), plain);
            if (!Arrays.equals(ours, run(new AesCbc.Jdk(true, keyIv), plain))) return "its AES-256-CBC differs from the JDK's";
            if (!Arrays.equals(run(new Aes256Cbc(false, keyIv), ours), plain)) return "its AES-256-CBC does not decrypt what it encrypts";
            return null;
        } catch (RuntimeException | java.security.GeneralSecurityException e) {
            return "its AES-256-CBC fails: " + e.getMessage();
        } catch (LinkageError e) { // a call missing from this libcrypto (looked up at its first use)
            return "its AES-256-CBC cannot be called: " + e.getMessage();
        }
    }

    private static byte[] run(AesCbc cipher, byte[] input) throws java.security.GeneralSecurityException {
        try (cipher) {
            byte[] out = new byte[input.length + AesCbc.SLACK];
            int n = cipher.update(input, 0, input.length, out, 0);
            n += cipher.doFinal(out, n);
            return Arrays.copyOf(out, n);
        }
    }

    private Libcrypto() {}

    /** PBKDF2-HMAC-SHA256 by libcrypto, or null where it is not loaded or refuses (a FIPS-only policy, say). */
    static byte[] pbkdf2Sha256(byte[] password, byte[] salt, int iterations, int length) {
        return LIB == null ? null : pbkdf2Sha256(LIB, password, salt, iterations, length);
    }

    private static byte[] pbkdf2Sha256(Calls lib, byte[] password, byte[] salt, int iterations, int length) {
        // the password and the key in native memory of our own, cleared before it is freed
        try (Memory pass = new Memory(Math.max(1, password.length)); Memory out = new Memory(length)) {
            try {
                pass.write(0, password, 0, password.length);
                if (lib.PKCS5_PBKDF2_HMAC(pass, password.length, salt, salt.length, iterations, lib.EVP_sha256(), length, out) != 1) {
                    lib.ERR_clear_error(); // this thread's queue, or a later OpenSSL call here would read our failure
                    return null;
                }
                return out.getByteArray(0, length);
            } finally {
                pass.clear();
                out.clear();
            }
        }
    }

    /**
     * AES-256-CBC by EVP, its input and output through native buffers of one chunk each. The context,
     * which holds the key schedule, is freed (and so cleared by OpenSSL) at close, or by a cleaner if a
     * stream is dropped unclosed.
     */
    static final class Aes256Cbc extends AesCbc {
        private static final Cleaner CLEANER = Cleaner.create();
        private final Memory in = new Memory(OpensslCipher.CHUNK);
        private final Memory out = new Memory(OpensslCipher.CHUNK + SLACK);
        private final Memory outLength = new Memory(Integer.BYTES);
        private final Pointer context;
        private final Cleaner.Cleanable free;
        private boolean closed;

        Aes256Cbc(boolean encrypt, byte[] keyIv) {
            Calls lib = LIB;
            Pointer context = lib.EVP_CIPHER_CTX_new();
            if (context == null) throw new IllegalStateException("libcrypto cannot allocate a cipher context");
            this.context = context;
            this.free = CLEANER.register(this, () -> lib.EVP_CIPHER_CTX_free(context));
            try (Memory key = new Memory(48)) {
                key.write(0, keyIv, 0, 48);
                int done = lib.EVP_CipherInit_ex(context, lib.EVP_aes_256_cbc(), null, key, key.share(32), encrypt ? 1 : 0);
                key.clear();
                if (done != 1) {
                    lib.ERR_clear_error();
                    free.clean();
                    throw new IllegalStateException("libcrypto refuses AES-256-CBC here");
                }
            }
        }

        @Override
        int update(byte[] input, int offset, int length, byte[] output, int outOffset) {
            ensureOpen();
            // checked before the call: once libcrypto took the input, a failed copy would lose its output
            if (length > OpensslCipher.CHUNK || output.length - outOffset < length + SLACK) {
                throw new IllegalArgumentException("a cipher call takes at most " + OpensslCipher.CHUNK + " bytes, into room for them and "
                        + SLACK + " more");
            }
            try {
                in.write(0, input, offset, length);
                if (LIB.EVP_CipherUpdate(context, out, outLength, in, length) != 1) {
                    LIB.ERR_clear_error();
                    throw new IllegalStateException("libcrypto's AES-256-CBC update failed");
                }
                return copyOut(output, outOffset);
            } finally {
                Reference.reachabilityFence(this); // the cleaner must not free the context during the call
            }
        }

        @Override
        int doFinal(byte[] output, int outOffset) throws BadPaddingException {
            ensureOpen();
            if (output.length - outOffset < SLACK) throw new IllegalArgumentException("the last block needs room for " + SLACK + " bytes");
            try {
                if (LIB.EVP_CipherFinal_ex(context, out, outLength) != 1) {
                    LIB.ERR_clear_error(); // a wrong key's padding, or a cut ciphertext
                    throw new BadPaddingException("bad decrypt");
                }
                return copyOut(output, outOffset);
            } finally {
                Reference.reachabilityFence(this);
            }
        }

        private int copyOut(byte[] output, int outOffset) {
            int n = outLength.getInt(0);
            out.read(0, output, outOffset, n);
            return n;
        }

        private void ensureOpen() {
            if (closed) throw new IllegalStateException("the cipher is closed");
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            free.clean();
            in.clear();
            out.clear();
            in.close();
            out.close();
            outLength.close();
        }
    }
}
