package io.qontrek.factorydr.common;

import java.io.IOException;
import java.io.InputStream;

/**
 * An InputStream that works in chunks: subclasses implement {@link #read(byte[], int, int)}, and the
 * one-byte read goes through it (InputStream's own goes the other way round).
 */
public abstract class ChunkInputStream extends InputStream {
    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
