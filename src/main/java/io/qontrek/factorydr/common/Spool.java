package io.qontrek.factorydr.common;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Scratch files for state that must not live in the heap (a million files' records, names being
 * sorted): created and unlinked at once, so only the open descriptor holds them. A process killed at
 * any point leaves nothing behind, and closing the channel (or the JVM collecting it) frees the disk.
 */
public final class Spool {
    private Spool() {}

    /** A new, already unlinked file in {@code dir} (null: java.io.tmpdir), open for reading and writing. */
    public static FileChannel openUnlinked(Path dir, String prefix) throws IOException {
        Path parent = dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir;
        Files.createDirectories(parent);
        Path file = Files.createTempFile(parent, prefix, ".spool");
        try {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
