package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/** Listing the runtime's files: regular files only (links are never followed), in a stable order. */
public final class RuntimeFiles {
    private RuntimeFiles() {}

    /**
     * Every regular file below dir, sorted by path; an absent dir has none. dir itself may be a link
     * (config/ or logs/ on a volume of their own): its target is walked and the files named under dir,
     * while links below it are not followed. A file or directory the backup cannot read is the
     * operator's to fix (permissions), so it fails before anything is written rather than half-way
     * through an archive.
     */
    public static List<Path> regularFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        // a walk does not follow the link it starts at: a config/ link walked as itself gave the link alone, and the backup no config
        Path start = Files.isSymbolicLink(dir) ? dir.toRealPath() : dir;
        List<Path> files;
        List<Path> links = new java.util.ArrayList<>();
        try (Stream<Path> s = Files.walk(start)) {
            files = s.filter(p -> {
                        if (Files.isSymbolicLink(p)) links.add(dir.resolve(start.relativize(p)));
                        return Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    })
                    .map(p -> dir.resolve(start.relativize(p))).sorted().toList();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.file.AccessDeniedException denied) throw unreadable(underDir(dir, start, denied.getFile()));
            throw e.getCause();
        } catch (java.nio.file.AccessDeniedException denied) {
            throw unreadable(underDir(dir, start, denied.getFile()));
        }
        for (Path f : files) {
            if (!Files.isReadable(f)) throw unreadable(f.toString());
        }
        if (!links.isEmpty()) {
            // never archived (a link could lead anywhere): said, so that a config/tls -> /etc/ssl/factory is not lost unseen
            LoggerFactory.getLogger(RuntimeFiles.class).warn("{} symbolic link(s) below {} not archived (links are never followed there): {}{}",
                    links.size(), dir, links.stream().sorted().limit(5).map(Path::toString).collect(java.util.stream.Collectors.joining(", ")),
                    links.size() > 5 ? ", ..." : "");
        }
        return files;
    }

    /** A path the walk of start reported, named under dir (where the operator knows it). */
    private static String underDir(Path dir, Path start, String path) {
        if (path == null || dir.equals(start)) return path;
        Path p = Path.of(path);
        return p.startsWith(start) ? dir.resolve(start.relativize(p)).toString() : path;
    }

    private static ConfigException unreadable(String path) {
        return new ConfigException(path + " is not readable: fix its permissions (the backup needs to read it)");
    }

    /** The path of file below dir, with forward slashes, as an archive entry name wants it. */
    public static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }
}
