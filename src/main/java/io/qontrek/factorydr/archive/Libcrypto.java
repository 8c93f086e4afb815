package io.qontrek.factorydr.archive;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.Arrays;
import org.slf4j.LoggerFactory;

/**
 * The system's OpenSSL libcrypto (the library behind the `openssl` every archive is compatible with;
 * Debian's libssl3, soname libcrypto.so.3), bound through JNA for one call: PKCS5_PBKDF2_HMAC, the
 * archive key's derivation. There its 20,000 HMACs run on the CPU's SHA-256 instructions, about 6 ms,
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
    }

    private static final Calls LIB;
    /** Why it is not used, or null. */
    static final String WHY_NOT;

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
}
