package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.FileList;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestSignature;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.common.TestPause;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An archive on its way to its name, taken there step by step by the archive-store route
 * (routes/archive.camel.yaml). Each step does its part when it runs, and a step whose input is
 * missing refuses, naming the step to put before it:
 * <ol>
 *   <li>{@link #stage}: a fresh staging directory ({@link WorkDir}); the archive's name must be free;</li>
 *   <li>{@link #tar}: the set's tar ({@link TarStream}), which the encoding steps wrap (gzip, encrypt);</li>
 *   <li>{@link #write}: drains the encoded stream into the staged file (0600), counting and hashing it,
 *       and fsyncs it. The read-back ({@link ArchiveReadBack}, the one verifier) starts with it and
 *       follows the file as it is written, so the check overlaps the compression;</li>
 *   <li>{@link #sign}: the manifest, with the archive's size and SHA-256, HMAC-signed;</li>
 *   <li>{@link #stageSidecars}: {@code X.sha256} and {@code X.manifest.json} beside the staged file;</li>
 *   <li>{@link #verifyReadBack}: the read-back's verdict against the sidecars as read from disk, and the
 *       database snapshots' integrity checks ({@link SqliteSnapshots});</li>
 *   <li>{@link #publish}: every staged file under its final name ({@link ArchivePublisher}: hard links,
 *       the archive first), never over anything; only an archive that was read back and verified.</li>
 * </ol>
 * {@link #close} (the run's end, done or failed) stops whatever still runs and deletes the scratch:
 * the staging directory and the set's snapshots. A crash or a full disk at any step leaves nothing under
 * the final names once the next run has swept the dead run's work.
 */
public final class StagedArchive implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StagedArchive.class);

    private final BackupSet set;
    private final Path target;
    private final Path staging;
    private final Path file;
    private final Instant started = Instant.now();
    private TarStream tar;
    private ArchiveReadBack readBack;
    private FileList records;
    private long size;
    private String sha256;
    private Manifest signed;
    private boolean sidecarsStaged;
    private boolean verified;
    private boolean published;
    private boolean closed;

    private StagedArchive(BackupSet set, Path target, Path staging) {
        this.set = set;
        this.target = target;
        this.staging = staging;
        this.file = staging.resolve(target.getFileName().toString());
    }

    /**
     * Stages {@code set}'s archive under {@code archiveDir}. A taken name is refused here, before any
     * work, unless {@code takenNameMayBeAdopted} (a day's archive a killed run published and never
     * recorded): {@link #publish} then finds it taken, and its caller judges it.
     */
    public static StagedArchive stage(Path archiveDir, BackupSet set, boolean takenNameMayBeAdopted) throws IOException {
        boolean ok = false;
        try {
            Path target = archiveDir.resolve(set.name()).normalize();
            if (!target.startsWith(archiveDir)) throw new IllegalArgumentException("archive name escapes the archive directory: " + set.name());
            if (taken(target)) {
                if (!takenNameMayBeAdopted) throw new ArchiveExistsException(target);
                LOG.info("{} exists and is not in the catalog: judged when this run's archive is published", target);
            }
            StagedArchive staged = new StagedArchive(set, target, WorkDir.create(archiveDir, set.backupId() + ".out"));
            ok = true;
            return staged;
        } finally {
            if (!ok) set.discard();
        }
    }

    public BackupSet set() {
        return set;
    }

    /** The archive's final path. */
    public Path target() {
        return target;
    }

    /** The staged archive file; its sidecars are staged beside it. */
    public Path file() {
        return file;
    }

    /**
     * The staged manifest sidecar, X.manifest.json, which the route signs (Ed25519) before publish: a
     * String for a header, since Camel converts a Path header to a String by reading the file.
     */
    public String manifestSidecar() {
        return io.qontrek.factorydr.archive.Sidecars.manifestPath(file).toString();
    }

    /** The tar step: the set's entries, then manifest.json, as a stream (started by its first read). */
    public TarStream tar(ProgressListener progress) {
        open("tar");
        if (tar != null) throw new IllegalStateException("tar: " + set.name() + " already has its tar");
        // the tripwire judges what exists once the tar has every entry, before its manifest.json
        tar = new TarStream(set, this::unsealed, staging, progress);
        return tar;
    }

    /**
     * The write step: drains {@code encoded} (the tar as the steps after it encoded it) into the staged
     * file, fsyncs it, and starts the read-back of the file, which decrypts it with {@code archiveKey}.
     */
    public void write(InputStream encoded, byte[] archiveKey) throws IOException {
        open("write");
        if (tar == null) throw new IllegalStateException("write: " + set.name() + " has no tar; put the tar step before write");
        if (readBack != null) throw new IllegalStateException("write: " + set.name() + " is already written");
        boolean ok = false;
        try (InputStream in = encoded; FileChannel ch = OwnerOnly.create(file)) { // 0600: the archive keeps this file's mode
            ArchiveReadBack.Output written = new ArchiveReadBack.Output(ch);
            readBack = ArchiveReadBack.start(file, written, archiveKey);
            byte[] buffer = new byte[TarStream.CHUNK];
            for (int n; (n = in.read(buffer)) >= 0; ) written.write(buffer, 0, n);
            if (!tar.ended()) throw new IllegalStateException("write: the stream written does not end with the end of the tar of " + set.name());
            written.done();
            ch.force(true);
            records = tar.files();
            size = written.count();
            sha256 = written.sha256();
            ok = true;
        } finally {
            if (!ok && readBack != null) {
                readBack.abort(); // the reading thread stops now, not at the run's end
                readBack = null;
            }
        }
        // the archive complete, its size: those findings cannot be in the manifest, whose copy in the
        // archive (manifest.json, which the sidecar must equal) was written before the size existed
        if (set.shrinkCheck() != null) set.shrinkCheck().written(size);
        LOG.info("{}: written and fsynced in {} ms", set.name(), Duration.between(started, Instant.now()).toMillis());
    }

    /** The sign step: the manifest of what was written, with the archive's name, size and SHA-256, HMAC-signed. */
    public Manifest sign(byte[] signingSecret) {
        open("signManifest");
        if (records == null) throw new IllegalStateException("signManifest: " + set.name() + " is not written yet; put write before it");
        Manifest unsigned = unsealed(records).withArchive(set.name(), size, sha256);
        signed = unsigned.withSignature(ManifestSignature.sign(unsigned, signingSecret));
        return signed;
    }

    /** The sidecars step: {@code X.sha256} and the signed {@code X.manifest.json} beside the staged archive. */
    public void stageSidecars() throws IOException {
        open("stageSidecars");
        if (signed == null) throw new IllegalStateException("stageSidecars: the manifest of " + set.name() + " is not signed; put signManifest before it");
        Sidecars.writeSha256(file, sha256);
        Sidecars.writeManifest(file, signed);
        sidecarsStaged = true;
    }

    /**
     * The read-back step: waits for the read-back that {@link #write} started and judges it against the
     * staged sidecars read back from disk, as {@code verify archive} would; and waits for the database
     * snapshots' integrity checks. Fails with one line naming the first problem.
     */
    public void verifyReadBack(byte[] signingSecret) throws IOException {
        open("verifyReadBack");
        if (readBack == null) throw new IllegalStateException("verifyReadBack: " + set.name() + " is not written yet; put write before it");
        if (!sidecarsStaged) {
            throw new IllegalStateException("verifyReadBack: " + set.name() + " has no sidecars to be judged against; put stageSidecars before it");
        }
        // snapshots were checked while they were archived; a failed check fails the backup here
        if (set.snapshots() != null) set.snapshots().awaitChecked();
        ArchiveReadBack r = readBack;
        readBack = null; // its verdict is taken, whatever it is
        try {
            r.verify(signingSecret);
        } catch (ArchiveException e) {
            throw new ArchiveException("verifyReadBack: " + e.getMessage(), e);
        }
        verified = true;
        LOG.info("{}: read back and verified at {} ms", set.name(), Duration.between(started, Instant.now()).toMillis());
    }

    /**
     * The publish step: the staged archive, then every staged file beside it ({@code X.*}: the sidecars,
     * and any a later step adds), under their final names; refused for an archive that was not read back
     * and verified. A name taken meanwhile fails with {@link ArchiveExistsException}. Deletes the staging.
     */
    public StoredArchive publish() throws IOException {
        open("publish");
        if (!verified) {
            throw new IllegalStateException("publish: " + set.name() + " was not read back and verified; an archive gets its name only"
                    + " after verifyReadBack");
        }
        OwnerOnly.directories(target.getParent());
        OwnerOnly.tighten(target.getParent());
        if (taken(target)) throw new ArchiveExistsException(target);
        try {
            ArchivePublisher.publish(file, target); // the archive's name first, then its sidecars'
        } catch (ArchivePublisher.NameTaken e) {
            throw new ArchiveExistsException(target);
        }
        published = true;
        TestPause.at("backup-published"); // named, not yet in the catalog
        ShrinkCheck check = set.shrinkCheck();
        StoredArchive stored = new StoredArchive(target, signed, started, Instant.now(), check == null ? List.of() : check.findings());
        close();
        return stored;
    }

    /** Stops the tar and the read-back if they still run, and deletes the staging and the set's snapshots. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (tar != null) tar.close();
            if (readBack != null) readBack.abort();
            if (!published && records != null) records.close();
        } finally {
            set.discard();
            WorkDir.delete(staging);
        }
    }

    private void open(String step) {
        if (closed) throw new IllegalStateException(step + ": " + set.name() + " was already published or discarded");
    }

    /** The manifest without the archive's own facts: the in-tar manifest.json, and what sign signs. */
    private Manifest unsealed(FileList files) {
        ShrinkCheck check = set.shrinkCheck(); // null: the route has no checkShrink step, or the archive is not checked
        List<String> tripwires = check == null ? List.of() : check.sealed(files);
        return Manifest.unsealed(set.backupId(), Manifest.Type.fromWire(set.type()), set.createdAt(), set.base(), files,
                set.proofHead() == null ? null : new Manifest.ProofHead(set.proofHead().seq(), set.proofHead().hash()),
                set.ledgerHead() == null ? null : new Manifest.LedgerHead(set.ledgerHead().seq(), set.ledgerHead().hash()),
                set.redacted(), set.skipped()).withDatabases(set.databases()).withTripwires(tripwires.isEmpty() ? null : tripwires);
    }

    private static boolean taken(Path target) {
        return Files.exists(target) || Files.exists(Sidecars.sha256Path(target)) || Files.exists(Sidecars.manifestPath(target));
    }
}
