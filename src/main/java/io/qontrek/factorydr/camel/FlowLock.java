package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.common.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One flow's lock across processes: an OS lock ({@code fcntl}) on {@code <flow>.lock}, so that a
 * command's run and the service's run of one flow never overlap, whichever process they are in. The
 * OS drops it when its process ends however it ends, so a killed run leaves nothing to clean up. The
 * file stays between runs (deleting it would let two processes lock two different files of one
 * name); it says who last held it ("pid started-at"), for a refusal to name.
 *
 * <p>fcntl locks belong to the process and go when any descriptor of the file in it is closed: a lock
 * this JVM holds is known here ({@link #HELD}) and refused before the file is opened a second time.
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

    /** The lock files this JVM holds a lock on, whichever application context took it. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private FlowLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, taken; or Busy, saying who has it. */
    static FlowLock tryTake(Path lockFile, Instant since) throws Busy, IOException {
        Path file = lockFile.toAbsolutePath().normalize();
        if (!HELD.add(file)) throw new Busy("this process");
        FileChannel channel = null;
        try {
            OwnerOnly.directories(file.getParent());
            channel = OwnerOnly.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException held) {
                throw new Busy("this process"); // held here by other means than a FlowLock
            }
            if (lock == null) throw new Busy(holder(channel));
            note(channel, since);
            return new FlowLock(file, channel, lock);
        } catch (Busy | IOException | RuntimeException e) {
            HELD.remove(file);
            if (channel != null) channel.close();
            throw e;
        }
    }

    /** Who holds it, for a refusal to name; best effort (a full disk must not stop the run that frees it). */
    private static void note(FileChannel channel, Instant since) {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            // the lock is what matters; the note only makes a refusal clearer
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
            try {
                channel.close();
            } finally {
                HELD.remove(file);
            }
        }
    }
}
