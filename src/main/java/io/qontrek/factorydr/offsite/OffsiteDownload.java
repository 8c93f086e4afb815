package io.qontrek.factorydr.offsite;

import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.backup.ArchivePublisher;
import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.signing.DetachedSignatures;
import io.qontrek.factorydr.signing.SigningKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import software.amazon.awssdk.services.s3.model.S3Object;
import org.slf4j.LoggerFactory;

/**
 * The mirror of an upload: an archive and its sidecars fetched from S3 into scratch space beside the
 * target (same file system), verified there as a restore would verify them, and only then given
 * their final names. A download that fails verification, or any step, is deleted; an existing local
 * archive is never overwritten.
 *
 * @param targetDir the archive directory it goes into
 * @param target where the archive goes: targetDir/&lt;relative name&gt;
 * @param work the scratch directory holding the temporary files: the archive, its sidecars, its
 *        .sig and the bucket's public key (those two when the bucket has them)
 */
public record OffsiteDownload(String name, Path targetDir, Path target, Path work, List<Item> items) {
    private static final Logger LOG = LoggerFactory.getLogger(OffsiteDownload.class);
    /** One object to fetch and the temporary file it streams into; an optional one may be missing from the bucket. */
    public record Item(String key, Path temp, boolean optional) {}

    public static OffsiteDownload prepare(Path targetDir, String name, OffsiteSettings s) throws IOException {
        Path target = targetDir.resolve(name).normalize();
        if (name.isBlank() || !target.startsWith(targetDir.normalize())) {
            throw new OffsiteException("archive name '" + name + "' is not a relative archive name such as full/20251026T030000Z.tar.gz.enc");
        }
        refuseExisting(target);
        Path work = WorkDir.create(targetDir, "download-" + name.replace('/', '_'));
        Path temp = work.resolve(target.getFileName().toString());
        List<Item> items = new ArrayList<>(List.of(
                new Item(s.key(name), temp, false),
                new Item(s.key(name + ".sha256"), sibling(temp, ".sha256"), false),
                new Item(s.key(name + ".manifest.json"), sibling(temp, ".manifest.json"), false)));
        // its signature: an archive written before signatures has none; one left here (a removal cut short) stays
        if (!Files.exists(sibling(target, ".manifest.json.sig"))) {
            items.add(new Item(s.key(name + ".manifest.json.sig"), sibling(temp, ".manifest.json.sig"), true));
        }
        // the public key that checks the .sig, when this machine has none (it burned): the bucket's current one
        if (!Files.exists(DetachedSignatures.publicKeyFile(targetDir))) {
            items.add(new Item(s.key(DetachedSignatures.PUBLIC_KEY_FILE), work.resolve(DetachedSignatures.PUBLIC_KEY_FILE), true));
        }
        return new OffsiteDownload(name, targetDir, target, work, List.copyOf(items));
    }

    private static final long MAX_KEY_BYTES = 4096;

    /** Whether the target has no public key, so that this download fetches the bucket's (a lost machine). */
    public boolean fetchesPublicKey() {
        return items.stream().anyMatch(i -> i.temp().equals(work.resolve(DetachedSignatures.PUBLIC_KEY_FILE)));
    }

    /** The prefix under which the bucket keeps every key it was sent, by fingerprint ({@link DetachedSignatures#fingerprintedName}). */
    public static String keysPrefix(OffsiteSettings s) {
        return s.key("signing-key-");
    }

    /**
     * When the target has no public key (the machine was lost, so this download fetches the bucket's
     * current one): this download with the bucket's fingerprinted public keys the target lacks, of
     * {@code listed} (a listing under {@link #keysPrefix}). After a rotation those are the keys the
     * older archives were signed with, so that their .sig can still be checked here. A machine that
     * has its key keeps its own set: a retired key deleted there (it leaked) is not brought back.
     */
    public OffsiteDownload withRetiredKeys(List<S3Object> listed, OffsiteSettings s) {
        if (!fetchesPublicKey()) return this;
        List<Item> more = new ArrayList<>(items);
        for (S3Object o : listed) {
            String key = o.key();
            String file = key.substring(key.lastIndexOf('/') + 1);
            if (o.size() == null || o.size() > MAX_KEY_BYTES) continue; // a PEM public key is a few hundred bytes
            if (!key.equals(s.key(file)) || !DetachedSignatures.isFingerprintedName(file)) continue;
            if (Files.exists(targetDir.resolve(file), LinkOption.NOFOLLOW_LINKS)) continue;
            more.add(new Item(key, work.resolve(file), true));
        }
        return new OffsiteDownload(name, targetDir, target, work, List.copyOf(more));
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
            // the keys first: a run killed after them leaves keys alone (harmless); after the archive's
            // name, a rerun would find the archive there and not fetch them again
            installPublicKey();
            installRetiredKeys();
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

    /**
     * The downloaded public key as the target directory's signing-key.pub.pem, when it has none. What is
     * not an Ed25519 public key is said and left out: the archive stands on its HMAC and hashes.
     */
    private void installPublicKey() throws IOException {
        if (!Files.isRegularFile(work.resolve(DetachedSignatures.PUBLIC_KEY_FILE))) return;
        PublicKey key;
        try {
            key = DetachedSignatures.published(work);
        } catch (ArchiveException e) {
            LOG.warn("the bucket's {} is not installed: {}", DetachedSignatures.PUBLIC_KEY_FILE, e.getMessage());
            return;
        }
        if (Files.exists(DetachedSignatures.publicKeyFile(targetDir))) return; // one appeared meanwhile: it stays
        Path installed = DetachedSignatures.publish(targetDir, key);
        LOG.info("{}: the bucket's public key (fingerprint {}), as there was none here; compare it with your record",
                installed, SigningKey.fingerprint(key).substring(0, 16));
    }

    /**
     * The bucket's fingerprinted keys this directory lacked, but its current one, each under its name
     * when that is its own key's fingerprint (verify then checks older .sig files against them); any
     * other is said and left out.
     */
    private void installRetiredKeys() {
        PublicKey current;
        try {
            current = DetachedSignatures.published(targetDir);
        } catch (ArchiveException unreadable) {
            current = null;
        }
        for (Item item : items) {
            String file = item.temp().getFileName().toString();
            if (!DetachedSignatures.isFingerprintedName(file) || !Files.exists(item.temp())) continue;
            DetachedSignatures.FingerprintedKey k = DetachedSignatures.fingerprintedKey(item.temp());
            if (k.key() == null) {
                LOG.warn("the bucket's {} is not installed: {}", item.key(), k.whyNot());
                continue;
            }
            Path installed = targetDir.resolve(file);
            if (DetachedSignatures.sameKey(current, k.key()) || Files.exists(installed, LinkOption.NOFOLLOW_LINKS)) continue;
            // best effort: a key that cannot be installed only leaves its .sig files unchecked here
            try {
                OwnerOnly.directories(targetDir);
                AtomicFile.write(installed, Files.readAllBytes(item.temp()));
                LOG.warn("{}: a public key from the bucket, for the .sig files it signed (fingerprint {}); compare it with your record",
                        installed, SigningKey.fingerprint(k.key()).substring(0, 16));
            } catch (IOException e) {
                LOG.warn("the bucket's {} is not installed: {}", item.key(), e.toString());
            }
        }
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
