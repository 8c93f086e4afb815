package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.common.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SidecarsTest {
    @TempDir Path dir;

    @Test
    void namesAndFormats() throws Exception {
        Path archive = dir.resolve("2025-10-23.tar.gz.enc");
        String sha = Hashes.sha256Hex("archive");
        Sidecars.writeSha256(archive, sha);
        assertThat(Sidecars.sha256Path(archive)).hasFileName("2025-10-23.tar.gz.enc.sha256");
        assertThat(Files.readString(Sidecars.sha256Path(archive))).isEqualTo(sha + "  2025-10-23.tar.gz.enc\n");
        assertThat(Sidecars.readSha256(archive)).isEqualTo(sha);
        assertThat(Sidecars.manifestPath(archive)).hasFileName("2025-10-23.tar.gz.enc.manifest.json");
    }

    @Test
    void rewritesAtomicallyAndLeavesNoTemporaryFiles() throws Exception {
        Path archive = dir.resolve("x.tar.gz.enc");
        Sidecars.writeSha256(archive, Hashes.sha256Hex("one"));
        Sidecars.writeSha256(archive, Hashes.sha256Hex("two"));
        assertThat(Sidecars.readSha256(archive)).isEqualTo(Hashes.sha256Hex("two"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("x.tar.gz.enc.sha256");
        }
    }

    @Test
    void refusesAnUnsignedManifest() {
        Manifest unsigned = ManifestTest.sample().withArchive("x.tar.gz.enc", 1, Hashes.sha256Hex("x"));
        assertThatThrownBy(() -> Sidecars.writeManifest(dir.resolve("x.tar.gz.enc"), unsigned))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not signed");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void signedManifestRoundTrips() throws Exception {
        Path archive = dir.resolve("x.tar.gz.enc");
        Manifest sealed = ManifestTest.sample().withArchive("full/x.tar.gz.enc", 1, Hashes.sha256Hex("x"));
        Manifest signed = sealed.withSignature(ManifestSignature.sign(sealed, ArchiveFixture.SECRET));
        Sidecars.writeManifest(archive, signed);
        assertThat(Files.readString(Sidecars.manifestPath(archive))).startsWith("{\n").endsWith("}\n");
        // streamed into the file, byte for byte what it was as one String: pretty JSON and a newline
        String asString = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(ManifestTest.tree(signed, true)) + "\n";
        assertThat(Files.readString(Sidecars.manifestPath(archive))).isEqualTo(asString);
        assertThat(Sidecars.readManifest(archive)).isEqualTo(signed);
    }
}
