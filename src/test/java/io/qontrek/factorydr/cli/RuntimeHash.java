package io.qontrek.factorydr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** One hash over every file (name and bytes) of a runtime's proof/, config/, data/ and logs/: "unchanged, byte for byte". */
final class RuntimeHash {
    private RuntimeHash() {}

    static String of(Path root) throws Exception {
        return of(root, "proof", "config", "data", "logs");
    }

    /** The same over some of the directories, e.g. leaving out logs/ where a failed flow writes its alert. */
    static String of(Path root, String... dirs) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (String dir : dirs) {
            Path d = root.resolve(dir);
            if (!Files.exists(d)) {
                md.update(("absent " + dir + "\n").getBytes());
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(d)) {
                files = s.sorted().toList();
            }
            for (Path f : files) {
                md.update((root.relativize(f) + (Files.isDirectory(f) ? "/" : "") + "\n").getBytes());
                if (Files.isRegularFile(f)) md.update(Files.readAllBytes(f));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
