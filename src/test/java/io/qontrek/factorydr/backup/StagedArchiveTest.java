package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.ProgressListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive-store steps one by one (the one writer): what write reports is the file, a failed write
 * leaves nothing, a taken name is never overwritten, a step without its input refuses naming the step
 * it needs, and publish takes every file staged beside the archive.
 */
class StagedArchiveTest {
    static final byte[] KEY = "staged-test archive key".getBytes(StandardCharsets.UTF_8);
    static final byte[] SECRET = "staged-test signing secret".getBytes(StandardCharsets.UTF_8);
    static final String NAME = "proof/2025-10-26.tar.gz.enc";

    @TempDir Path tmp;

    private BackupSet set(List<BackupSet.Entry> entries) {
        return new BackupSet("proof-daily", "proof-daily-2025-10-26", NAME, Instant.parse("2025-10-27T02:00:00Z"), null, entries,
                null, null, List.of(), List.of(), null);
    }

    private BackupSet set() throws Exception {
        Path proof = Files.writeString(Files.createDirectories(tmp.resolve("src")).resolve("p.json"), "{\"seq\":1}\n");
        return set(List.of(BackupSet.Entry.file("proof/proof-000000000001.json", proof),
                BackupSet.Entry.bytes("proof/digests/2025-10-26.json", "{}".getBytes(), Instant.EPOCH)));
    }

    private static void written(StagedArchive staged) throws Exception {
        staged.write(StoreSteps.encoded(staged.tar(ProgressListener.NONE), KEY, 2), KEY);
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void writeReportsTheFilesSizeAndHashAndThePublishedArchiveVerifies() throws Exception {
        Path archiveDir = tmp.resolve("archive");
        try (StagedArchive staged = StagedArchive.stage(archiveDir, set(), false)) {
            written(staged);
            Manifest signed = staged.sign(SECRET);
            assertThat(signed.archive().size()).isEqualTo(Files.size(staged.file()));
            assertThat(signed.archive().sha256()).isEqualTo(Hashes.sha256Hex(Files.readAllBytes(staged.file())));
            staged.stageSidecars();
            staged.verifyReadBack(SECRET);
            StoredArchive stored = staged.publish();
            assertThat(stored.file()).isEqualTo(archiveDir.resolve(NAME));
        }
        ArchiveVerifier.VerifyResult r = new ArchiveVerifier().verify(archiveDir.resolve(NAME), KEY, SECRET);
        assertThat(r.files()).isEqualTo(2);
        assertThat(files(archiveDir)).as("published, and the staging is gone")
                .containsExactly(NAME, NAME + ".manifest.json", NAME + ".sha256");
    }

    @Test
    void aFailedWriteLeavesNothing() throws Exception {
        Path archiveDir = tmp.resolve("archive");
        BackupSet set = set(List.of(BackupSet.Entry.bytes("proof/a.json", "{}".getBytes(), Instant.EPOCH),
                BackupSet.Entry.file("logs/status", Path.of("/proc/self/status")))); // grows while read: fails
        assertThatThrownBy(() -> {
            try (StagedArchive staged = StagedArchive.stage(archiveDir, set, false)) {
                written(staged);
            }
        }).hasMessageContaining("grew");
        assertThat(files(archiveDir)).isEmpty();
    }

    @Test
    void aTakenNameIsNeverOverwritten() throws Exception {
        Path archiveDir = tmp.resolve("archive");
        Path target = Files.writeString(Files.createDirectories(archiveDir.resolve("proof")).resolve("2025-10-26.tar.gz.enc"), "older");
        assertThatThrownBy(() -> StagedArchive.stage(archiveDir, set(), false)).isInstanceOf(ArchiveExistsException.class)
                .hasMessageContaining("already exists");

        // taken while this run wrote (a name that may be a killed run's is judged only then)
        try (StagedArchive staged = StagedArchive.stage(archiveDir, set(), true)) {
            written(staged);
            staged.sign(SECRET);
            staged.stageSidecars();
            staged.verifyReadBack(SECRET);
            assertThatThrownBy(staged::publish).isInstanceOf(ArchiveExistsException.class);
        }
        assertThat(target).content().isEqualTo("older");
        assertThat(files(archiveDir)).containsExactly(NAME);
    }

    @Test
    void aStepWithoutItsInputRefusesNamingTheStepItNeeds() throws Exception {
        Path archiveDir = tmp.resolve("archive");
        try (StagedArchive staged = StagedArchive.stage(archiveDir, set(), false)) {
            assertThatThrownBy(() -> staged.write(new java.io.ByteArrayInputStream(new byte[1]), KEY))
                    .hasMessageContaining("put the tar step before write");
            assertThatThrownBy(() -> staged.sign(SECRET)).hasMessageContaining("put write before it");
            written(staged);
            assertThatThrownBy(staged::stageSidecars).hasMessageContaining("put signManifest before it");
            assertThatThrownBy(() -> staged.verifyReadBack(SECRET)).hasMessageContaining("put stageSidecars before it");
            staged.sign(SECRET);
            staged.stageSidecars();
            assertThatThrownBy(staged::publish).hasMessageContaining("was not read back and verified");
        }
        assertThat(files(archiveDir)).isEmpty();
    }

    @Test
    void publishTakesEveryFileStagedBesideTheArchive() throws Exception {
        Path archiveDir = tmp.resolve("archive");
        try (StagedArchive staged = StagedArchive.stage(archiveDir, set(), false)) {
            written(staged);
            staged.sign(SECRET);
            staged.stageSidecars();
            staged.verifyReadBack(SECRET);
            Path sig = Sidecars.manifestPath(staged.file()).resolveSibling(staged.file().getFileName() + ".manifest.json.sig");
            Files.write(sig, new byte[64]); // what a signing step would stage
            staged.publish();
        }
        assertThat(files(archiveDir)).containsExactly(NAME, NAME + ".manifest.json", NAME + ".manifest.json.sig", NAME + ".sha256");
    }
}
