package io.qontrek.factorydr.camel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One flow's lock across processes: an OS lock ({@code fcntl}) on {@code <flow>.lock}, so that a
 * command's run and the service's run of one flow never overlap, whichever process they are in. The
 * OS drops it when its process ends however it ends, so a killed run leaves nothing to clean up. The
 * file says who holds it ("pid started-at"), for the refusal to name.
 */
final class FlowLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private FlowLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Taken, or null when another holds it (then {@code holder} says who, if it can be read). */
    static FlowLock tryTake(Path file, Instant since) throws IOException {
        Files.createDirectories(file.getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;    // another application context in this JVM holds it
            }
            if (lock == null) {
                channel.close();
                return null;
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + since + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new FlowLock(channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Who holds the lock, as its file says ("process 1234 since 2026-..."), or "another process". */
    static String holder(Path file) {
        try {
            String[] words = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
            if (words.length == 2) return "process " + words[0] + " since " + words[1];
        } catch (IOException | RuntimeException e) {
            // unreadable or being rewritten: say less
        }
        return "another process";
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
