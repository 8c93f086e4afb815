package io.qontrek.factorydr.archive;

/**
 * The gzip members {@link ParallelGzipOutputStream} writes, one per block: RFC 1952's fixed header
 * with one extra field (FEXTRA), subfield {@code FD} holding the member's whole size in bytes (header,
 * deflate data and trailer), then the deflate data, then the CRC-32 and length of the block. The size
 * lets a reader cut the stream into members without inflating it, as BGZF's {@code BC} subfield does
 * for bgzip; gzip, pigz and tar skip extra fields.
 */
final class BlockMembers {
    /** The fixed header (10), XLEN (2), the subfield's id (2), its length (2) and the member size (4). */
    static final int HEADER = 20;
    static final int TRAILER = 8;
    /** The largest member or block a reader accepts: far over a 256 KiB block, far under the heap. */
    static final int MAX = 4 * 1024 * 1024;
    private static final int FEXTRA = 4;

    private BlockMembers() {}

    static byte[] header(int deflatedLength) {
        int size = HEADER + deflatedLength + TRAILER;
        return new byte[] {0x1f, (byte) 0x8b, 8, FEXTRA, 0, 0, 0, 0, 0, (byte) 255,
                8, 0, 'F', 'D', 4, 0, (byte) size, (byte) (size >>> 8), (byte) (size >>> 16), (byte) (size >>> 24)};
    }

    static byte[] trailer(int crc, int length) {
        byte[] t = new byte[TRAILER];
        putInt(t, 0, crc);
        putInt(t, 4, length);
        return t;
    }

    /**
     * The member size a header of ours holds, or -1 when {@code h} (at least {@link #HEADER} bytes) is not
     * such a header: another gzip, or damage.
     */
    static int size(byte[] h) {
        if ((h[0] & 0xff) != 0x1f || (h[1] & 0xff) != 0x8b || h[2] != 8 || h[3] != FEXTRA) return -1;
        if (h[10] != 8 || h[11] != 0 || h[12] != 'F' || h[13] != 'D' || h[14] != 4 || h[15] != 0) return -1;
        return getInt(h, 16);
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i));
    }
}
