package io.qontrek.factorydr.retention;

import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.archive.Sidecars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Removes one archive and its sidecars from the archive directory: the archive first, then
 * {@code .sha256}, then {@code .manifest.json}, then its detached signature {@code .manifest.json.sig}. A removal interrupted half-way leaves sidecars without
 * their archive, which nothing trusts or needs (the catalog rebuild skips them, restores and uploads
 * go by the catalog) and which the next backup sweeps (ArchivePublisher.sweepOrphanSidecars). The catalog row goes
 * after this (and after the S3 objects), so the next run still sees the archive and finishes.
 * Files already gone are fine: the local copy may have been removed before.
 */
public final class ArchiveRemoval {
    /** The archive directory's sub-directories retention may delete in; recovery-proofs/ is not one of them. */
    public static final Set<String> DIRECTORIES = Set.of("full", "incremental", "proof", "alerts");
    public static final String SUFFIX = ".tar.gz.enc";

    private ArchiveRemoval() {}

    /** The archive's relative name and its sidecars', in removal order (the manifest's .sig after the manifest). */
    public static List<String> names(String name) {
        return List.of(name, name + ".sha256", name + ".manifest.json", name + ".manifest.json.sig");
    }

    /**
     * Deletes the archive and its sidecars; returns the files that were there and are now gone,
     * with their sizes.
     *
     * @throws IllegalArgumentException the name is not an archive in one of {@link #DIRECTORIES}
     */
    public static List<Removed> remove(Path archiveDir, String name) throws IOException {
        Path archive = resolve(archiveDir, name);
        List<Removed> out = new ArrayList<>();
        for (Path p : List.of(archive, Sidecars.sha256Path(archive), Sidecars.manifestPath(archive), Sidecars.manifestSignaturePath(archive))) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
            long size;
            try {
                size = Files.size(p);
            } catch (java.nio.file.NoSuchFileException gone) {
                continue; // a backup's sweep of orphan sidecars took it first
            }
            if (Files.deleteIfExists(p)) out.add(new Removed(p, size));
        }
        if (!out.isEmpty()) fsync(archive.getParent());
        return out;
    }

    /** The archive file a catalog name stands for, refusing anything outside the archive sub-directories. */
    static Path resolve(Path archiveDir, String name) {
        Path root = archiveDir.toAbsolutePath().normalize();
        Path archive = root.resolve(name).normalize();
        if (name.isBlank() || !archive.startsWith(root) || !name.endsWith(SUFFIX) || root.relativize(archive).getNameCount() != 2
                || !DIRECTORIES.contains(root.relativize(archive).getName(0).toString())) {
            throw new IllegalArgumentException("'" + name + "' is not an archive retention may remove (expected "
                    + DIRECTORIES + "/<name>" + SUFFIX + " inside " + root + ")");
        }
        return archive;
    }

    private static void fsync(Path dir) {
        try {
            AtomicFile.fsync(dir);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the deletes themselves succeeded
        }
    }

    public record Removed(Path file, long size) {}
}
