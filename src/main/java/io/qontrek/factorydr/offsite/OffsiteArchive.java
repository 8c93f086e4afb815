package io.qontrek.factorydr.offsite;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.signing.DetachedSignatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An archive about to be copied offsite: the archive file, then its .sha256, then the manifest's
 * detached signature .manifest.json.sig (when it has one) and the published public key (as
 * signing-key.pub.pem and under its fingerprint), then its .manifest.json (last, so that a listing
 * showing the manifest implies the rest was sent first).
 * Preparing it reads the archive once, computing the ETag S3 will report and its SHA-256, and
 * refuses an archive that no longer matches its manifest: a damaged local copy is never sent.
 */
public record OffsiteArchive(String name, List<OffsiteObject> objects) {

    public static OffsiteArchive prepare(Path archiveDir, String name, OffsiteSettings s) throws IOException {
        Path archive = archiveDir.resolve(name).normalize();
        if (!archive.startsWith(archiveDir.normalize()) || name.isBlank()) {
            throw new OffsiteException("archive name '" + name + "' is not a path inside the archive directory " + archiveDir);
        }
        if (!Files.isRegularFile(archive)) {
            throw new OffsiteException("local archive " + archive + " is missing; it cannot be copied offsite");
        }
        Manifest manifest = Sidecars.readManifest(archive);
        S3Etag etag = S3Etag.of(archive, s.partSizeBytes());
        if (manifest.archive() == null || manifest.archive().size() != etag.size() || !manifest.archive().sha256().equals(etag.sha256())) {
            throw new ArchiveException(archive.getFileName() + ": differs from its manifest (archive.size/sha256); not copied offsite");
        }
        Path sha = Sidecars.sha256Path(archive);
        Sidecars.readSha256(archive); // present and well-formed
        Path man = Sidecars.manifestPath(archive);
        Path sig = Sidecars.manifestSignaturePath(archive);
        List<OffsiteObject> objects = new java.util.ArrayList<>(List.of(
                new OffsiteObject(archive, s.key(name), etag),
                new OffsiteObject(sha, s.key(name + ".sha256"), S3Etag.of(sha, s.partSizeBytes()))));
        // the manifest's Ed25519 signature before the manifest (an archive written before signatures has none)
        if (Files.isRegularFile(sig)) objects.add(new OffsiteObject(sig, s.key(name + ".manifest.json.sig"), S3Etag.of(sig, s.partSizeBytes())));
        // the public key that checks it, so a second site or an auditor finds it beside the archives; also under its
        // fingerprint, a name no rotation replaces, so the key of every archive in the bucket stays there
        Path pub = DetachedSignatures.publicKeyFile(archiveDir);
        if (Files.isRegularFile(pub)) {
            PublicKey key = DetachedSignatures.published(archiveDir);
            S3Etag pubEtag = S3Etag.of(pub, s.partSizeBytes());
            objects.add(new OffsiteObject(pub, s.key(DetachedSignatures.PUBLIC_KEY_FILE), pubEtag));
            objects.add(new OffsiteObject(pub, s.key(DetachedSignatures.fingerprintedName(key)), pubEtag));
        }
        objects.add(new OffsiteObject(man, s.key(name + ".manifest.json"), S3Etag.of(man, s.partSizeBytes())));
        return new OffsiteArchive(name, List.copyOf(objects));
    }

    /** The archive's own key: a listing under it shows the archive and both sidecars. */
    public String key() {
        return objects.get(0).key();
    }

    public long bytes() {
        return objects.stream().mapToLong(OffsiteObject::size).sum();
    }

    /**
     * The objects a listing of {@link #key()} does not already show with the right size and ETag, in
     * upload order: what still has to go up. With read-back checks (SSE-KMS) a listed ETag proves
     * nothing, so only a size match is taken from the listing and the object is checked after.
     */
    public List<OffsiteObject> notYetStored(List<S3Object> listed, boolean readback) {
        Map<String, S3Object> byKey = listed.stream().collect(Collectors.toMap(S3Object::key, Function.identity(), (a, b) -> a));
        // the public key lies outside the listing: it goes up with whatever of the archive goes up
        List<OffsiteObject> todo = objects.stream().filter(o -> !o.key().startsWith(key()) || !stored(o, byKey.get(o.key()), readback)).toList();
        return todo.stream().anyMatch(o -> o.key().startsWith(key())) ? todo : List.of();
    }

    private static boolean stored(OffsiteObject o, S3Object got, boolean readback) {
        if (got == null || got.size() == null || got.size() != o.size()) return false;
        return readback || S3Etag.unquote(got.eTag()).equals(o.expected().etag());
    }
}
