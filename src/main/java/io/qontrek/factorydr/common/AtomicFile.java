package io.qontrek.factorydr.common;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Set;

/**
 * Publishing a file so that a reader, or a crash, finds the old file or the whole new one, never a
 * part: the content goes to a hidden temporary name in the target's directory (same file system, so
 * the rename is atomic), is fsynced, takes its final name by rename(2) (or by link(2) where a name
 * must never be overwritten), and the directory is fsynced so the name survives a power cut. A
 * failure at any step deletes the temporary file; a process killed half-way leaves only that hidden
 * {@code .<name>.<random>.tmp}, never anything under the final name.
 */
public final class AtomicFile {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** What goes into the file, streamed into it. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    /** Writes {@code target} (owner-only, 0600), replacing the file of that name if there is one. */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, OwnerOnly.FILE, out -> out.write(content));
    }

    /** Writes {@code target} (owner-only, 0600), replacing the file of that name if there is one. */
    public static void write(Path target, Content content) throws IOException {
        write(target, OwnerOnly.FILE, content);
    }

    /** The same, the file given {@code mode} from before its first byte (a library other users load, say). */
    public static void write(Path target, Set<PosixFilePermission> mode, Content content) throws IOException {
        Path temp = temporary(target);
        try {
            fill(temp, mode, content);
            rename(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Writes {@code content} under the first of {@code names} (in {@code dir}) that is free, never over
     * an existing file: link(2) refuses a name that is taken, so two writers never share one. Returns
     * the file written.
     */
    public static Path writeNew(Path dir, Iterable<String> names, Content content) throws IOException {
        Iterator<String> each = names.iterator();
        if (!each.hasNext()) throw new IllegalArgumentException("no name to write under in " + dir);
        String first = each.next();
        Path temp = temporary(dir.resolve(first));
        try {
            fill(temp, OwnerOnly.FILE, content);
            for (String name = first; ; name = each.next()) {
                Path target = dir.resolve(name);
                try {
                    Files.createLink(target, temp);
                    fsync(target.toAbsolutePath().getParent());
                    return target;
                } catch (FileAlreadyExistsException taken) {
                    if (!each.hasNext()) throw new IOException("cannot find a free name for " + first + " in " + dir + ": up to " + name + " all are taken");
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Gives a file that is complete (written by someone else: SQLite, say) the name {@code target}, over
     * what is there: fsyncs it, renames it (it must be in {@code target}'s directory) and fsyncs the directory.
     */
    public static void replace(Path finished, Path target) throws IOException {
        fsync(finished);
        rename(finished, target);
    }

    /** fsync(2) of one file or directory, opened read-only (fsync needs no write access). */
    public static void fsync(Path fileOrDirectory) throws IOException {
        try (FileChannel ch = FileChannel.open(fileOrDirectory, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static Path temporary(Path target) {
        return target.toAbsolutePath().resolveSibling("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    }

    private static void fill(Path temp, Set<PosixFilePermission> mode, Content content) throws IOException {
        try (FileChannel channel = OwnerOnly.create(temp)) {
            if (POSIX && !mode.equals(OwnerOnly.FILE)) Files.setPosixFilePermissions(temp, mode);
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            content.writeTo(out);
            out.flush();
            channel.force(true);
        }
    }

    private static void rename(Path from, Path target) throws IOException {
        try {
            Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " atomically onto " + target, e);
        }
        fsync(target.toAbsolutePath().getParent());
    }
}
