package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.FileList;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestSignature;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.common.TestPause;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.signing.DetachedSigner;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * The last step of every backup: runs the archive pipeline into a staging directory, fsyncs, signs
 * the manifest, writes the sidecars (the manifest's detached Ed25519 signature among them), reads
 * the whole archive back and verifies it, and only then gives it its final name (ArchivePublisher: the archive's name first, then the sidecars'). The read-back runs in a second thread that follows the file as it is written
 * ({@link ArchiveReadBack}: the one verifier, {@code ArchiveVerifier}), so it overlaps the compression instead of
 * starting after it; its verdict is still required before the name is given. Database snapshots
 * still being checked ({@link SqliteSnapshots}) must pass before that too. The final names are taken with hard links, which fail if
 * the name exists, so an archive is never overwritten, even by a concurrent run. A crash or a
 * full disk at any point leaves nothing under the final names once the next run has swept the
 * dead run's work ({@link WorkDir}).
 */
public final class ArchiveStore {
    private static final List<String> STEPS = List.of("tar", "gzip", "encrypt");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ArchiveStore.class);

    private final Path archiveDir;
    private final Secrets secrets;

    public ArchiveStore(Path archiveDir, Secrets secrets) {
        this.archiveDir = archiveDir;
        this.secrets = secrets;
    }

    /**
     * Stores the archive; {@code signer} writes the manifest sidecar's detached Ed25519 signature
     * ({@code X.manifest.json.sig}) while it is staged, so it is published with the sidecars, before the manifest.
     */
    public StoredArchive store(ArchivePipeline pipeline, ProgressListener progress, DetachedSigner signer) throws IOException {
        BackupSet set = pipeline.set();
        try (SqliteSnapshots snapshots = set.snapshots()) {
            return store(pipeline, set, progress, signer);
        } finally {
            WorkDir.delete(set.workDir()); // after the snapshots stopped: nothing writes there any more
        }
    }

    private StoredArchive store(ArchivePipeline pipeline, BackupSet set, ProgressListener progress, DetachedSigner signer) throws IOException {
        if (!pipeline.steps().equals(STEPS)) {
            throw new IllegalStateException("an archive must be tar -> gzip -> encrypt, but the route has "
                    + String.join(" -> ", pipeline.steps()));
        }
        Path target = archiveDir.resolve(set.name()).normalize();
        if (!target.startsWith(archiveDir)) throw new IllegalArgumentException("archive name escapes the archive directory: " + set.name());
        refuseExisting(target);
        ShrinkCheck check = set.shrinkCheck(); // null: the route has no checkShrink step, or the archive is not checked
        Instant started = Instant.now();
        Path staging = WorkDir.create(archiveDir, set.backupId() + ".out");
        Path tmp = staging.resolve(target.getFileName().toString());
        try {
            FileList records;
            ArchiveReadBack.Output written;
            ArchiveReadBack readBack;
            try (FileChannel ch = OwnerOnly.create(tmp)) { // 0600: the archive keeps this file's mode
                written = new ArchiveReadBack.Output(ch);
                // The archive is read back and checked by a second thread as it reaches the file.
                readBack = ArchiveReadBack.start(tmp, written, secrets.archiveKey());
                boolean ok = false;
                try {
                    OutputStream file = new BufferedOutputStream(written, 1 << 16);
                    // the tripwire judges what exists once the tar has every entry, before its manifest.json
                    records = pipeline.writeTo(file, recs -> unsealed(set, recs, check == null ? List.of() : check.sealed(recs)),
                            staging, progress);
                    file.flush();
                    written.done();
                    ch.force(true);
                    ok = true;
                } finally {
                    if (!ok) readBack.abort();
                }
            }
            LOG.info("{}: written and fsynced in {} ms", set.name(), java.time.Duration.between(started, Instant.now()).toMillis());
            // Snapshots were checked while they were archived; a failed check fails the backup here.
            if (set.snapshots() != null) set.snapshots().awaitChecked();
            String sha256 = written.sha256();
            // and, the archive complete, its size. Those findings cannot be in the manifest: its copy in the
            // archive (manifest.json, which the sidecar must equal) was written before the size existed
            if (check != null) check.written(written.count());
            Manifest unsigned = unsealed(set, records, check == null ? List.of() : check.sealed(records))
                    .withArchive(set.name(), written.count(), sha256);
            Manifest signed = unsigned.withSignature(ManifestSignature.sign(unsigned, secrets.signingSecret()));
            Sidecars.writeSha256(tmp, sha256);
            Sidecars.writeManifest(tmp, signed);
            sign(signer, Sidecars.manifestPath(tmp)); // its X.sig staged beside it

            // Everything just written, read back as a restore would, before the archive exists:
            // the one verifier's checks, its pass made while the file was written (ArchiveReadBack).
            readBack.verify(secrets.signingSecret());
            LOG.info("{}: read back and verified at {} ms", set.name(), java.time.Duration.between(started, Instant.now()).toMillis());

            OwnerOnly.directories(target.getParent());
            OwnerOnly.tighten(target.getParent());
            refuseExisting(target);
            try {
                ArchivePublisher.publish(tmp, target); // the archive's name first, then its sidecars'
            } catch (ArchivePublisher.NameTaken e) {
                throw new ArchiveExistsException(target);
            }
            TestPause.at("backup-published"); // named, not yet in the catalog
            return new StoredArchive(target, signed, started, Instant.now(), check == null ? List.of() : check.findings());
        } finally {
            WorkDir.delete(staging);
        }
    }

    private static void sign(DetachedSigner signer, Path file) throws IOException {
        try {
            signer.sign(file);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot sign " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static Manifest unsealed(BackupSet set, FileList records, List<String> tripwires) {
        return Manifest.unsealed(set.backupId(), Manifest.Type.fromWire(set.type()), set.createdAt(), set.base(), records,
                set.proofHead() == null ? null : new Manifest.ProofHead(set.proofHead().seq(), set.proofHead().hash()),
                set.ledgerHead() == null ? null : new Manifest.LedgerHead(set.ledgerHead().seq(), set.ledgerHead().hash()),
                set.redacted(), set.skipped()).withDatabases(set.databases()).withTripwires(tripwires.isEmpty() ? null : tripwires);
    }

    private static void refuseExisting(Path target) throws ArchiveExistsException {
        if (Files.exists(target) || Files.exists(sidecar(target, ".sha256")) || Files.exists(sidecar(target, ".manifest.json"))
                || Files.exists(Sidecars.manifestSignaturePath(target))) {
            throw new ArchiveExistsException(target);
        }
    }

    static Path sidecar(Path archive, String suffix) {
        return archive.resolveSibling(archive.getFileName() + suffix);
    }

    /** The archive's name is taken: archives are never overwritten. */
    public static final class ArchiveExistsException extends IOException {
        public ArchiveExistsException(Path target) {
            super("archive " + target + " already exists; archives are never overwritten");
        }

        public ArchiveExistsException(String message) {
            super(message);
        }
    }
}
