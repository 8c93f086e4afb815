package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.archive.Gzip;
import io.qontrek.factorydr.archive.OpensslCipher;
import io.qontrek.factorydr.backup.ArchivePipeline;
import io.qontrek.factorydr.backup.ArchiveStore;
import io.qontrek.factorydr.backup.BackupCollector;
import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.ConfigSelection;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Real archives for the restore tests: a generated runtime backed up by the project's own writer
 * (collector, pipeline tar -> gzip -> encrypt, store), exactly as the backup routes chain them; and a
 * raw encrypted tar.gz stream for hand-made hostile archives.
 */
final class Archives {
    static final String ARCHIVE_KEY = "restore-test archive key 3b1d";
    static final String SIGNING_SECRET = "restore-test signing 8c2e";
    static final String TOWER_SECRET = "restore-test tower 19fa";
    static final Secrets SECRETS = new Secrets(Map.of(
            Secrets.ARCHIVE_KEY, ARCHIVE_KEY, Secrets.SIGNING_SECRET, SIGNING_SECRET, Secrets.TOWER_SECRET, TOWER_SECRET));

    private Archives() {}

    static byte[] key() {
        return ARCHIVE_KEY.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] signing() {
        return SIGNING_SECRET.getBytes(StandardCharsets.UTF_8);
    }

    /** A small generated runtime under root (proof, config with planted secrets, data, logs). */
    static SampleRuntime.Summary runtime(Path root, int proofs, Instant end) throws IOException {
        return SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(proofs).days(3).ledgerRows(80).logMb(0)
                .towerSecret(TOWER_SECRET).end(end).build(), null);
    }

    static RuntimeLayout layout(Path root) {
        return RuntimeLayout.under(root, root.resolve("archive"));
    }

    static BackupCollector collector(RuntimeLayout layout) {
        ConfigSelection selection = new ConfigSelection(
                List.of("secret", "private_key", "password", "token", "key_material", "seed"), SECRETS.knownValues());
        return new BackupCollector(layout, selection, Duration.ofHours(48), 30);
    }

    /** Stores a set the way the backup routes do: tar -> gzip -> encrypt -> store (verified, signed). */
    static StoredArchive store(RuntimeLayout layout, BackupSet set) throws IOException {
        ArchivePipeline pipeline = ArchivePipeline.tar(set)
                .then("gzip", out -> Gzip.compressing(out, 2))
                .then("encrypt", out -> OpensslCipher.encrypting(out, SECRETS.archiveKey()));
        return new ArchiveStore(layout.archiveDir(), SECRETS).store(pipeline, ProgressListener.NONE, unsigned -> { }); // no Ed25519 .sig: SignaturesTest covers those
    }

    static StoredArchive full(RuntimeLayout layout, Instant now) throws IOException {
        return store(layout, collector(layout).full(now));
    }

    static StoredArchive proofDay(RuntimeLayout layout, LocalDate day, Instant now) throws IOException {
        return store(layout, collector(layout).proofDay(day, now));
    }

    /** What a hand-made archive's entries are written into. */
    @FunctionalInterface
    interface TarBody {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    /** An encrypted tar.gz written entry by entry with commons-compress, for hostile archives. */
    static Path handMade(Path file, TarBody body) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(
                        Gzip.compressing(OpensslCipher.encrypting(out, key()), 1), StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.write(tar);
            tar.finish();
        }
        return file;
    }
}
