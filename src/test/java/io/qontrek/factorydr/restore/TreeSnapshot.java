package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every path under a directory with what it is: "dir", "link -> target", or "file <size> <sha256>
 * <mtime>". Two equal snapshots mean the tree is byte-for-byte the same (links not followed).
 */
final class TreeSnapshot {
    private TreeSnapshot() {}

    static Map<String, String> of(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return out;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = dir.relativize(p).toString();
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) out.put(rel, "link -> " + Files.readSymbolicLink(p));
                else if (a.isDirectory()) out.put(rel, "dir");
                else out.put(rel, "file " + a.size() + " " + sha256(p) + " " + a.lastModifiedTime().to(java.util.concurrent.TimeUnit.SECONDS));
            }
        }
        return out;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d = Hashes.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[65536];
            for (int n; (n = in.read(b)) >= 0; ) d.update(b, 0, n);
        }
        return Hex.encode(d.digest());
    }
}
