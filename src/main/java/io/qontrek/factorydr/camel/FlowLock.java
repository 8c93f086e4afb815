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
 * file stays between runs (deleting it would let two processes lock two different files of one
 * name); it says who last held it ("pid started-at"), for a refusal to name.
 *
 * <p>fcntl locks belong to the process and go when any descriptor of the file in it is closed, so the
 * file is only ever opened through the one channel of an attempt.
 */
final class FlowLock implements AutoCloseable {
    /** Held elsewhere: the holder is "process 1234 since ...", "this process" or "another process". */
    static final class Busy extends Exception {
        Busy(String holder) {
            super(holder, null, false, false);
        }

        String holder() {
            return getMessage();
        }
    }

    private final FileChannel channel;
    private final FileLock lock;

    private FlowLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, taken; or Busy, saying who has it. */
    static FlowLock tryTake(Path file, Instant since) throws Busy, IOException {
        Files.createDirectories(file.getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                // another application context in this JVM holds it: closing this channel must not
                // release it, which it would if the file had been read through another descriptor
                channel.close();
                throw new Busy("this process");
            }
            if (lock == null) {
                Busy busy = new Busy(holder(channel));
                channel.close();
                throw busy;
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + since + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new FlowLock(channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(128);
            channel.read(buf, 0);
            String[] words = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim().split(" ");
            if (words.length == 2) return "process " + words[0] + " since " + words[1];
        } catch (IOException | RuntimeException e) {
            // unreadable, or being rewritten: say less
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
