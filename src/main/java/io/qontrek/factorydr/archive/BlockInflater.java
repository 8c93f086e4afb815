package io.qontrek.factorydr.archive;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One thread's inflate of a whole member's raw DEFLATE data, checked to be exactly that: it ends
 * where the member's data does and gives exactly the length its trailer says (the CRC-32 is the
 * caller's). With the system's libdeflate when it is installed ({@link Libdeflate}), else the JDK's
 * zlib: the same verdicts, in the same words. Not thread-safe: one per thread.
 */
abstract class BlockInflater implements AutoCloseable {
    /** Inflates {@code member[0, data)} into {@code out[0, length)}, refusing anything but exactly that. */
    abstract void inflate(byte[] member, int data, byte[] out, int length, long at) throws IOException;

    @Override
    public abstract void close();

    /** libdeflate where installed, else zlib; {@code zlib} forces zlib. */
    static BlockInflater open(boolean zlib) {
        return !zlib && Libdeflate.LIB != null ? new Libdeflated() : new Zlib();
    }

    static IOException longer(long at, int length) {
        return new IOException("the member at byte " + at + " inflates to more than its trailer's " + length + " bytes (corrupt)");
    }

    static IOException shorter(long at, long n, int length) {
        return new IOException("the member at byte " + at + " inflates to " + n + " bytes, its trailer says " + length + " (corrupt)");
    }

    static IOException trailing(long at, long extra) {
        return new IOException("the member at byte " + at + " has " + extra + " bytes after its deflate data (corrupt)");
    }

    private static final class Zlib extends BlockInflater {
        private final Inflater inf = new Inflater(true);

        @Override
        void inflate(byte[] member, int data, byte[] out, int length, long at) throws IOException {
            inf.reset();
            inf.setInput(member, 0, data);
            int n = 0;
            try {
                while (n < length) {
                    int k = inf.inflate(out, n, length - n);
                    if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                    n += k;
                }
                if (n == length && !inf.finished() && inf.inflate(new byte[1]) > 0) throw longer(at, length);
            } catch (DataFormatException e) {
                throw new IOException("invalid deflate data in the member at byte " + at + " (corrupt): " + e.getMessage(), e);
            }
            if (!inf.finished() || n != length) throw shorter(at, n, length);
            if (inf.getRemaining() != 0) throw trailing(at, inf.getRemaining());
        }

        @Override
        public void close() {
            inf.end();
        }
    }

    /** libdeflate: the member copied into native memory, inflated whole, the block copied out. */
    private static final class Libdeflated extends BlockInflater {
        private final Pointer decompressor = Libdeflate.LIB.libdeflate_alloc_decompressor();
        private final LongByReference consumed = new LongByReference();
        private final LongByReference produced = new LongByReference();
        private Memory in = new Memory(2L * ParallelGzipOutputStream.BLOCK);
        private Memory out = new Memory(2L * ParallelGzipOutputStream.BLOCK);

        Libdeflated() {
            if (decompressor == null) throw new OutOfMemoryError("libdeflate could not allocate a decompressor");
        }

        @Override
        void inflate(byte[] member, int data, byte[] dst, int length, long at) throws IOException {
            if (data > in.size()) in = grown(in, data);
            if (length > out.size()) out = grown(out, length);
            if (data > 0) in.write(0, member, 0, data);
            int result = Libdeflate.LIB.libdeflate_deflate_decompress_ex(decompressor, in, data, out, length, consumed, produced);
            if (result == Libdeflate.Calls.INSUFFICIENT_SPACE) throw longer(at, length);
            if (result != Libdeflate.Calls.SUCCESS) {
                throw new IOException("invalid deflate data in the member at byte " + at + " (corrupt): libdeflate result " + result);
            }
            if (produced.getValue() != length) throw shorter(at, produced.getValue(), length);
            if (consumed.getValue() != data) throw trailing(at, data - consumed.getValue());
            if (length > 0) out.read(0, dst, 0, length);
        }

        /** The new buffer first: a failed allocation must leave the old one usable (and closed once, by close). */
        private static Memory grown(Memory old, long size) {
            Memory bigger = new Memory(Math.max(size, 2 * old.size()));
            old.close();
            return bigger;
        }

        @Override
        public void close() {
            Libdeflate.LIB.libdeflate_free_decompressor(decompressor);
            in.close();
            out.close();
        }
    }
}
