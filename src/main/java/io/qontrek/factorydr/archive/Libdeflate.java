package io.qontrek.factorydr.archive;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import org.slf4j.LoggerFactory;

/**
 * The system's libdeflate (Debian's libdeflate0, its soname libdeflate.so.0), bound through JNA, or
 * null where it is not installed: then the archive's blocks are deflated and inflated with the JDK's
 * zlib ({@link BlockDeflater}, {@link BlockInflater}). Only the whole-buffer calls of its stable API.
 */
final class Libdeflate {
    /** The calls used, as declared in libdeflate.h (size_t as long: 64-bit, checked at load). */
    interface Calls extends Library {
        int SUCCESS = 0;
        int BAD_DATA = 1;
        int INSUFFICIENT_SPACE = 3;

        Pointer libdeflate_alloc_compressor(int level);

        long libdeflate_deflate_compress(Pointer compressor, Pointer in, long inBytes, Pointer out, long outAvailable);

        void libdeflate_free_compressor(Pointer compressor);

        Pointer libdeflate_alloc_decompressor();

        int libdeflate_deflate_decompress_ex(Pointer decompressor, Pointer in, long inBytes, Pointer out, long outAvailable,
                LongByReference actualIn, LongByReference actualOut);

        void libdeflate_free_decompressor(Pointer decompressor);
    }

    static final Calls LIB;
    /** The library name it was loaded by, or null. */
    static final String FOUND;
    /** Why it is not loaded, or null. */
    static final String WHY_NOT;

    static {
        Calls lib = null;
        String found = null;
        String why = null;
        // the soname first: Debian's libdeflate0 has no unversioned libdeflate.so without the -dev package
        for (String name : new String[] {"libdeflate.so.0", "deflate"}) {
            try {
                if (Native.SIZE_T_SIZE != Long.BYTES) {
                    why = "size_t is " + Native.SIZE_T_SIZE + " bytes here, and the bindings declare it 8";
                    break;
                }
                lib = Native.load(name, Calls.class);
                found = name;
                why = null;
                break;
            } catch (UnsatisfiedLinkError e) {
                why = e.getMessage() == null ? "not found" : e.getMessage().lines().findFirst().orElse("not found");
            } catch (LinkageError e) {
                // JNA itself cannot load (its native part, e.g. under a noexec temp directory): zlib, for good
                why = "JNA cannot load: " + e;
                break;
            }
        }
        LIB = lib;
        FOUND = found;
        WHY_NOT = why;
        if (lib == null) LoggerFactory.getLogger(Libdeflate.class).info("libdeflate is not installed here ({}): gzip blocks use zlib", why);
    }

    private Libdeflate() {}
}
