package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.common.Hashes;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveWriterTest {
    @TempDir Path dir;

    @Test
    void finishReportsTheFilesSizeAndHash() throws Exception {
        Path file = dir.resolve("x.tar.gz.enc");
        ArchiveWriter.Written written;
        try (ArchiveWriter writer = ArchiveWriter.create(file, ArchiveFixture.PASSWORD, 2)) {
            writer.tar().addBytes("proof/a.json", "{}".getBytes(), Instant.EPOCH);
            written = writer.finish("{}".getBytes());
        }
        assertThat(written.size()).isEqualTo(Files.size(file));
        assertThat(written.sha256()).isEqualTo(Hashes.sha256Hex(Files.readAllBytes(file)));
    }

    @Test
    void closingWithoutFinishLeavesNoFile() throws Exception {
        Path file = dir.resolve("x.tar.gz.enc");
        assertThatThrownBy(() -> {
            try (ArchiveWriter writer = ArchiveWriter.create(file, ArchiveFixture.PASSWORD, 2)) {
                writer.tar().addBytes("proof/a.json", "{}".getBytes(), Instant.EPOCH);
                writer.tar().addFile("logs/status", Path.of("/proc/self/status")); // grows: fails
            }
        }).hasMessageContaining("grew");
        assertThat(file).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void neverOverwritesAnExistingArchive() throws Exception {
        Path file = Files.writeString(dir.resolve("x.tar.gz.enc"), "an older archive");
        assertThatThrownBy(() -> ArchiveWriter.create(file, ArchiveFixture.PASSWORD, 1)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(file)).isEqualTo("an older archive");
    }
}
