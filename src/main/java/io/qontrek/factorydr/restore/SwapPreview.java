package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.restore.SwapItems.Item;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The dry run of a swap ({@link RuntimeSwap#describe}): the staged tree compared with the live one by size and SHA-256. Reads only. */
final class SwapPreview {
    private SwapPreview() {}

    static RuntimeSwap.Description of(RuntimeSwap.Scope scope, List<Item> items, Set<String> keepLive) throws IOException {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        int unchanged = 0;
        for (Item item : items) {
            Map<String, Path> staged = item.directory() ? files(item.staged(), item.name()) : Map.of(item.name(), item.staged());
            Map<String, Path> current = item.directory() ? files(item.live(), item.name())
                    : RuntimeSwap.exists(item.live()) ? Map.of(item.name(), item.live()) : Map.of();
            for (Map.Entry<String, Path> s : staged.entrySet()) {
                Path l = current.get(s.getKey());
                if (keepLive.contains(s.getKey()) && l != null) continue; // counted below as kept
                if (l == null) added.add(s.getKey());
                else if (same(s.getValue(), l)) unchanged++;
                else changed.add(s.getKey());
            }
            for (String name : current.keySet()) {
                if (keepLive.contains(name) && item.name().equals("config")) kept.add(name);
                else if (!staged.containsKey(name)) removed.add(name);
            }
            if (!item.directory()) {
                for (String suffix : RuntimeSwap.COMPANIONS) {
                    if (RuntimeSwap.exists(RuntimeSwap.companion(item.live(), suffix))) removed.add(item.name() + suffix);
                }
            }
        }
        return new RuntimeSwap.Description(scope, sorted(added), sorted(changed), sorted(removed), sorted(kept), unchanged);
    }

    /** Regular files and links (not followed) below dir, keyed by prefix + "/" + relative path. */
    private static Map<String, Path> files(Path dir, String prefix) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return out;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(prefix + "/" + dir.relativize(p).toString().replace('\\', '/'), p);
                }
            }
        }
        return out;
    }

    private static boolean same(Path a, Path b) throws IOException {
        BasicFileAttributes x = Files.readAttributes(a, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes y = Files.readAttributes(b, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!x.isRegularFile() || !y.isRegularFile()) return false;
        return x.size() == y.size() && Arrays.equals(sha256(a), sha256(b));
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest d = io.qontrek.factorydr.common.Hashes.sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) >= 0; ) d.update(buffer, 0, n);
        }
        return d.digest();
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }
}
