package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;

/**
 * The last stage of an archive's byte stream: writes into the archive file's channel, counting and
 * SHA-256-hashing every byte on the way, so the sidecars need no second read. It neither closes nor
 * syncs the channel; its owner does. {@link #written(long)} lets a subclass act on progress.
 */
public class HashingChannelOutput extends OutputStream {
    private final FileChannel channel;
    private final MessageDigest digest = Hashes.sha256();
    private volatile long count;

    public HashingChannelOutput(FileChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) channel.write(buffer);
        digest.update(b, off, len);
        count += len; // one writing thread; volatile so a reader following the file sees it
        written(count);
    }

    /** Called after each write with the bytes now in the file. */
    protected void written(long total) {}

    /** Bytes written so far. */
    public long count() {
        return count;
    }

    /** The SHA-256 of everything written; call once, when the writing is done. */
    public String sha256() {
        return Hex.encode(digest.digest());
    }

    protected FileChannel channel() {
        return channel;
    }
}
