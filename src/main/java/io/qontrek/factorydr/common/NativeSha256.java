package io.qontrek.factorydr.common;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;
import org.slf4j.LoggerFactory;

/**
 * SHA-256 by the system's libcrypto (the library of the `openssl` the archives are made for), which
 * runs it on the CPU's SHA instructions from the first byte. The JDK does so only in code its second
 * compiler (C2) has compiled: before that, and in every JVM the launcher runs with the quick compiler
 * alone, its SHA-256 is several times slower, and a restore or verify hashes every byte it reads.
 *
 * <p>The hash state lives in a Java array, copied into a per-thread native block for each update,
 * so a digest owns no native memory to free, and copies as an array does. Small updates gather in a
 * Java buffer first: a call into the library costs more than hashing a few bytes.
 *
 * <p>{@link Hashes#sha256()} gives this only where the library loaded and its digests matched the
 * JDK's on inputs of several lengths (checked once, at load); otherwise the JDK's.
 */
final class NativeSha256 extends MessageDigest implements Cloneable {
    /** sizeof(SHA256_CTX) in openssl/sha.h is 112 (26 four-byte words and two ints); room to spare. */
    private static final int STATE_BYTES = 128;
    private static final int CHUNK = 64 * 1024;
    private static final int PENDING = 8 * 1024;

    /** Why it is not used, or null: then {@link #AVAILABLE}. */
    static final String WHY_NOT;
    static final boolean AVAILABLE;
    private static final byte[] INITIAL;

    /** Per thread: [state | data chunk | 32-byte result]. */
    private static final ThreadLocal<Memory> BLOCK = ThreadLocal.withInitial(() -> new Memory(STATE_BYTES + CHUNK + 32));

    static {
        String why = null;
        byte[] initial = null;
        try {
            if (Native.SIZE_T_SIZE != Long.BYTES) throw new UnsatisfiedLinkError("size_t is " + Native.SIZE_T_SIZE + " bytes here");
            Native.register(Calls.class, NativeLibrary.getInstance(library()));
            Memory block = BLOCK.get();
            block.clear(STATE_BYTES);
            if (Calls.SHA256_Init(block) != 1) throw new UnsatisfiedLinkError("SHA256_Init failed");
            initial = block.getByteArray(0, STATE_BYTES);
            why = selfCheck(initial);
        } catch (UnsatisfiedLinkError e) { // not there, or without the calls
            why = e.getMessage() == null ? "not found" : e.getMessage().lines().findFirst().orElse("not found");
        } catch (LinkageError e) { // JNA's own native part cannot load (a noexec temporary directory, say)
            why = "JNA cannot load: " + e;
        } catch (RuntimeException e) { // whatever else: the JDK's digest is always there
            why = e.toString();
        }
        WHY_NOT = why;
        AVAILABLE = why == null;
        INITIAL = initial;
        if (why != null) LoggerFactory.getLogger(NativeSha256.class).info("SHA-256 is hashed by the JDK, not OpenSSL's libcrypto ({})", why);
    }

    /** The calls of openssl/sha.h used (deprecated in OpenSSL 3, still exported by libcrypto.so.3 and .so.1.1). */
    private static final class Calls {
        static native int SHA256_Init(Pointer ctx);

        static native int SHA256_Update(Pointer ctx, Pointer data, long length);

        static native int SHA256_Final(Pointer md, Pointer ctx);
    }

    private final byte[] initial;
    private final byte[] state;
    /** Made at the first small update: the Java PBKDF2 (where libcrypto refuses it) copies digests 40,000 times a key. */
    private byte[] pending;
    private int buffered;

    NativeSha256() {
        this(INITIAL, INITIAL);
    }

    /** Versioned names only: an unversioned libcrypto.so is a -dev package's link. */
    private static String library() {
        for (String name : new String[] {"libcrypto.so.3", "libcrypto.so.1.1"}) {
            try {
                NativeLibrary.getInstance(name);
                return name;
            } catch (UnsatisfiedLinkError e) {
                // the next
            }
        }
        throw new UnsatisfiedLinkError("no libcrypto.so.3 or libcrypto.so.1.1");
    }

    /** Null where this digest gives the JDK's on lengths around the block and buffer sizes, split at random. */
    private static String selfCheck(byte[] initial) {
        MessageDigest jdk;
        try {
            jdk = MessageDigest.getInstance("SHA-256", "SUN");
        } catch (java.security.GeneralSecurityException e) {
            return null; // nothing to check against: the library's answer stands
        }
        Random random = new Random(7);
        for (int length : new int[] {0, 3, 55, 56, 64, 1000, PENDING + 1, CHUNK + 17}) {
            byte[] input = new byte[length];
            random.nextBytes(input);
            NativeSha256 ours = new NativeSha256(initial, initial);
            for (int at = 0; at < length; ) {
                int n = Math.min(length - at, 1 + random.nextInt(PENDING + 100));
                ours.update(input, at, n);
                at += n;
            }
            if (!Arrays.equals(ours.digest(), jdk.digest(input))) return "its SHA-256 of " + length + " bytes differs from the JDK's";
        }
        return null;
    }

    private NativeSha256(byte[] initial, byte[] state) {
        super("SHA-256");
        this.initial = initial;
        this.state = state.clone();
    }

    @Override
    protected void engineUpdate(byte input) {
        if (pending == null) pending = new byte[PENDING];
        if (buffered == PENDING) flushPending();
        pending[buffered++] = input;
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int length) {
        if (length == 0) return;
        if (pending == null && length <= PENDING) pending = new byte[PENDING];
        if (length <= PENDING - buffered) {
            System.arraycopy(input, offset, pending, buffered, length);
            buffered += length;
            return;
        }
        flushPending();
        if (length < PENDING) {
            System.arraycopy(input, offset, pending, 0, length);
            buffered = length;
            return;
        }
        Memory block = load();
        for (int at = 0; at < length; ) {
            int n = Math.min(CHUNK, length - at);
            block.write(STATE_BYTES, input, offset + at, n);
            Calls.SHA256_Update(block, block.share(STATE_BYTES), n);
            at += n;
        }
        store(block);
    }

    @Override
    protected byte[] engineDigest() {
        Memory block = load();
        if (buffered > 0) {
            block.write(STATE_BYTES, pending, 0, buffered);
            Calls.SHA256_Update(block, block.share(STATE_BYTES), buffered);
        }
        Calls.SHA256_Final(block.share(STATE_BYTES + CHUNK), block);
        byte[] hash = block.getByteArray(STATE_BYTES + CHUNK, 32);
        engineReset();
        return hash;
    }

    @Override
    protected int engineDigest(byte[] buf, int offset, int length) throws java.security.DigestException {
        // refused before the hash is taken, as the JDK's digest refuses it: the state stays as it was
        if (length < 32) throw new java.security.DigestException("partial digests not returned");
        if (buf.length - offset < 32) throw new java.security.DigestException("insufficient space in the output buffer to store the digest");
        System.arraycopy(engineDigest(), 0, buf, offset, 32);
        return 32;
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    @Override
    protected void engineReset() {
        System.arraycopy(initial, 0, state, 0, STATE_BYTES);
        buffered = 0;
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        NativeSha256 copy = new NativeSha256(initial, state);
        if (buffered > 0) copy.pending = Arrays.copyOf(pending, PENDING);
        copy.buffered = buffered;
        return copy;
    }

    private void flushPending() {
        if (buffered == 0) return;
        Memory block = load();
        block.write(STATE_BYTES, pending, 0, buffered);
        Calls.SHA256_Update(block, block.share(STATE_BYTES), buffered);
        store(block);
        buffered = 0;
    }

    private Memory load() {
        Memory block = BLOCK.get();
        block.write(0, state, 0, STATE_BYTES);
        return block;
    }

    private void store(Memory block) {
        block.read(0, state, 0, STATE_BYTES);
    }

    /** For {@link Hashes}: the JDK's, where this is not available. */
    static MessageDigest orJdk() throws NoSuchAlgorithmException {
        return AVAILABLE ? new NativeSha256() : MessageDigest.getInstance("SHA-256");
    }
}
