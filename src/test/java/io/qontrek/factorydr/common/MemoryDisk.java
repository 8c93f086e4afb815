package io.qontrek.factorydr.common;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A scratch directory in memory (/dev/shm, a tmpfs) for the tests that write hundreds of thousands of
 * files to show what memory does at scale, not what the disk does: creating and deleting them there
 * takes seconds where a disk shared with the other test JVM takes a minute. Where /dev/shm is missing
 * it is a directory under {@code fallback}. Closing it deletes it.
 */
public final class MemoryDisk implements AutoCloseable {
    private static final Path SHM = Path.of("/dev/shm");
    private final Path dir;

    private MemoryDisk(Path dir) {
        this.dir = dir;
    }

    public static MemoryDisk create(Path fallback) throws IOException {
        Path base = Files.isDirectory(SHM) && Files.isWritable(SHM) ? SHM : fallback;
        return new MemoryDisk(Files.createTempDirectory(base, "factory-dr-test-"));
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        if (!Files.exists(dir)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
