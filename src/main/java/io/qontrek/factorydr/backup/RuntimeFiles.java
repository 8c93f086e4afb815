package io.qontrek.factorydr.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Listing the runtime's files: regular files only (links are never followed), in a stable order. */
public final class RuntimeFiles {
    private RuntimeFiles() {}

    /** Every regular file below dir, sorted by path; an absent dir has none. */
    public static List<Path> regularFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The path of file below dir, with forward slashes, as an archive entry name wants it. */
    public static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }
}
