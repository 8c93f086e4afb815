package io.qontrek.factorydr.common;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Durability for many files at once. fsync per file commits the journal once per file: 60,000 small
 * files cost minutes on a slow disk. syncfs(2) writes back and waits for everything dirty on one file
 * system in a single call. Java has no syncfs, so this runs coreutils' {@code sync -f} (syncfs on the
 * file system holding the path), which reports write-back errors through its exit status.
 */
public final class FileSystemSync {
    private static final long TIMEOUT_MINUTES = 30;

    private FileSystemSync() {}

    /**
     * syncfs on the file system holding {@code path}. Returns false when that could not be done (no
     * {@code sync -f} here, or it failed): the caller then fsyncs what it wrote, one by one.
     */
    public static boolean sync(Path path) {
        try {
            ProcessBuilder pb = new ProcessBuilder("sync", "-f", path.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            // Our environment holds the archive key and the signing secrets: a child gets PATH only.
            String searchPath = pb.environment().get("PATH");
            pb.environment().clear();
            if (searchPath != null) pb.environment().put("PATH", searchPath);
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
