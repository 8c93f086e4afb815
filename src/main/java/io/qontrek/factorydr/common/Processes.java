package io.qontrek.factorydr.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Who this process runs as: its effective uid, from /proc/self/status (Linux). */
public final class Processes {
    private static final long EUID = readEffectiveUid();

    private Processes() {}

    /** The effective uid, or -1 where it cannot be read (not Linux). */
    public static long effectiveUid() {
        return EUID;
    }

    /** Running as root (effective uid 0): then a restore gives files back their recorded owner and group. */
    public static boolean isRoot() {
        return EUID == 0;
    }

    /** Whether {@code p} (not followed) belongs to this process's user; where uids cannot be read, whether it can write it. */
    static boolean ownedByUs(Path p) throws IOException {
        if (EUID < 0) return Files.isWritable(p);
        Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return Integer.toUnsignedLong((Integer) uid) == EUID;
    }

    private static long readEffectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: treated as not root, and ownership is judged by write access
        }
        return -1;
    }
}
