package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.common.Hashes;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarWriterTest {
    @TempDir Path dir;

    /** Records whether the writer closed the sink it was given. */
    static final class Sink extends FilterOutputStream {
        boolean closed;

        Sink(OutputStream out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }

    @Test
    void refusesNamesThatCouldEscapeTheRestoreDirectory() {
        TarWriter tar = new TarWriter(OutputStream.nullOutputStream());
        byte[] x = {1};
        Instant t = Instant.EPOCH;
        assertThatThrownBy(() -> tar.addBytes("/etc/passwd", x, t)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> tar.addBytes("proof/../../etc/passwd", x, t)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> tar.addBytes("..", x, t)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tar.addBytes("proof//x", x, t)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tar.addBytes("./proof/x", x, t)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tar.addBytes("manifest.json", x, t)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }

    @Test
    void recordsSizeAndHashAndRefusesDuplicates() throws Exception {
        TarWriter tar = new TarWriter(OutputStream.nullOutputStream());
        Path file = SampleData.file(dir.resolve("proof.json"), 700_000, 3);
        FileRecord fromFile = tar.addFile("proof/proof-000000000001.json", file);
        FileRecord fromBytes = tar.addBytes("config/key_registry.json", "{}".getBytes(StandardCharsets.UTF_8), Instant.EPOCH);
        assertThat(fromFile).isEqualTo(new FileRecord("proof/proof-000000000001.json", 700_000, Hashes.sha256Hex(Files.readAllBytes(file)),
                EntryAttributes.of(file)));
        assertThat(fromBytes).isEqualTo(new FileRecord("config/key_registry.json", 2, Hashes.sha256Hex("{}")));
        assertThatThrownBy(() -> tar.addFile("proof/proof-000000000001.json", file)).hasMessageContaining("lists 'proof/proof-000000000001.json' twice");
        assertThat(tar.files().toList()).containsExactly(fromFile, fromBytes);
    }

    @Test
    void finishWritesTheManifestLastAndLeavesTheSinkOpen() throws Exception {
        Path out = dir.resolve("x.tar");
        try (Sink sink = new Sink(Files.newOutputStream(out))) {
            TarWriter tar = new TarWriter(sink);
            tar.addBytes("proof/a.json", "a".getBytes(), Instant.parse("2025-10-23T14:00:00Z"));
            tar.finish("{\"m\":1}".getBytes());
            assertThat(sink.closed).isFalse();
            assertThatThrownBy(() -> tar.addBytes("proof/b.json", "b".getBytes(), Instant.EPOCH)).isInstanceOf(IllegalStateException.class);
        }
        Tools.Result list = Tools.bash(dir, "tar -tf x.tar").ok();
        assertThat(list.stdout()).isEqualTo("proof/a.json\nmanifest.json\n");
        assertThat(Tools.bash(dir, "tar -xOf x.tar manifest.json").ok().stdout()).isEqualTo("{\"m\":1}");
    }

    @Test
    void aFileThatGrowsWhileCopiedFailsNamingItAndTheWriterStops() throws Exception {
        // /proc files say size 0 and then yield bytes: exactly what a file appended to mid-copy looks like.
        Path growing = Path.of("/proc/self/status");
        TarWriter tar = new TarWriter(OutputStream.nullOutputStream());
        assertThatThrownBy(() -> tar.addFile("logs/status", growing))
                .isInstanceOf(IOException.class).hasMessageContaining("/proc/self/status").hasMessageContaining("grew");
        assertThatThrownBy(() -> tar.addBytes("proof/a.json", new byte[1], Instant.EPOCH))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("discarded");
    }

    @Test
    void aFileThatVanishedBeforeItWasOpenedLeavesTheWriterUsable() throws Exception {
        TarWriter tar = new TarWriter(OutputStream.nullOutputStream());
        assertThatThrownBy(() -> tar.addFile("logs/rotated.log", dir.resolve("rotated.log"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThat(tar.addBytes("proof/a.json", new byte[1], Instant.EPOCH).size()).isEqualTo(1);
        assertThat(tar.files().toList()).extracting(FileRecord::path).containsExactly("proof/a.json");
    }

    @Test
    void refusesNonRegularFiles() {
        TarWriter tar = new TarWriter(OutputStream.nullOutputStream());
        assertThatThrownBy(() -> tar.addFile("proof", dir)).isInstanceOf(IOException.class).hasMessageContaining("not a regular file");
    }
}
