package io.qontrek.factorydr.offsite;

import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.backup.ArchivePublisher;
import io.qontrek.factorydr.backup.WorkDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The mirror of an upload: an archive and its sidecars fetched from S3 into scratch space beside the
 * target (same file system), verified there as a restore would verify them, and only then given
 * their final names. A download that fails verification, or any step, is deleted; an existing local
 * archive is never overwritten.
 *
 * @param target where the archive goes: targetDir/&lt;relative name&gt;
 * @param work the scratch directory holding the three temporary files
 */
public record OffsiteDownload(String name, Path target, Path work, List<Item> items) {
    /** One object to fetch and the temporary file it streams into. */
    public record Item(String key, Path temp) {}

    public static OffsiteDownload prepare(Path targetDir, String name, OffsiteSettings s) throws IOException {
        Path target = targetDir.resolve(name).normalize();
        if (name.isBlank() || !target.startsWith(targetDir.normalize())) {
            throw new OffsiteException("archive name '" + name + "' is not a relative archive name such as full/20251026T030000Z.tar.gz.enc");
        }
        refuseExisting(target);
        Path work = WorkDir.create(targetDir, "download-" + name.replace('/', '_'));
        Path temp = work.resolve(target.getFileName().toString());
        return new OffsiteDownload(name, target, work, List.of(
                new Item(s.key(name), temp),
                new Item(s.key(name + ".sha256"), sibling(temp, ".sha256")),
                new Item(s.key(name + ".manifest.json"), sibling(temp, ".manifest.json"))));
    }

    /** Streams one object's content into its temporary file and fsyncs it; memory stays flat. */
    public static void save(InputStream content, Path temp) throws IOException {
        try (InputStream in = content; FileChannel ch = OwnerOnly.create(temp)) {
            OutputStream out = Channels.newOutputStream(ch);
            in.transferTo(out);
            ch.force(true);
        }
    }

    /** Verifies the download in scratch space; if it passes, renames it into place, else deletes it. */
    public ArchiveVerifier.VerifyResult verifyAndInstall(byte[] archiveKey, byte[] signingSecret, String where) throws IOException {
        Path temp = items.get(0).temp();
        ArchiveVerifier.VerifyResult result;
        try {
            result = new ArchiveVerifier().verify(temp, archiveKey, signingSecret);
        } catch (ArchiveException e) {
            discard();
            throw new ArchiveException("downloaded " + name + " from " + where + " does not verify and was deleted: " + e.getMessage(), e);
        }
        try {
            OwnerOnly.directories(target.getParent());
            refuseExisting(target);
            try {
                ArchivePublisher.publish(temp, target); // the archive's name first, then its sidecars'; never overwriting
            } catch (ArchivePublisher.NameTaken e) {
                throw new OffsiteException("archive " + target + " appeared while downloading; archives are never overwritten");
            }
        } finally {
            discard();
        }
        return result;
    }

    /** Removes the scratch files (a failed or finished download). */
    public void discard() {
        WorkDir.delete(work);
    }

    private static void refuseExisting(Path target) {
        for (Path p : List.of(target, sibling(target, ".sha256"), sibling(target, ".manifest.json"))) {
            if (Files.exists(p)) throw new OffsiteException("local " + p + " already exists; archives are never overwritten");
        }
    }

    private static Path sibling(Path p, String suffix) {
        return p.resolveSibling(p.getFileName() + suffix);
    }
}
