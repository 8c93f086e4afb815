package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Counts and SHA-256-hashes every byte read through it, so checks need no second pass. */
final class HashingInputStream extends FilterInputStream {
    private final MessageDigest digest = Hashes.sha256();
    private long count;

    HashingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            digest.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digest.update(b, off, n);
            count += n;
        }
        return n;
    }

    /** Skipping would leave bytes unhashed, so it reads them. */
    @Override
    public long skip(long n) throws IOException {
        byte[] sink = new byte[(int) Math.min(n, 64 * 1024)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
            if (r < 0) break;
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads the rest of the stream (hashing it) and returns how many bytes that was. */
    long drain() throws IOException {
        return drain(new byte[64 * 1024]);
    }

    /** {@link #drain()} through the caller's buffer: a pass over 60,000 entries needs no new one each. */
    long drain(byte[] buffer) throws IOException {
        long total = 0;
        for (int n; (n = read(buffer, 0, buffer.length)) >= 0; ) total += n;
        return total;
    }

    long count() {
        return count;
    }

    String sha256Hex() {
        return Hex.encode(digest.digest());
    }
}
