package io.qontrek.factorydr.archive;

import static io.qontrek.factorydr.archive.ArchiveFixture.DECRYPT;
import static io.qontrek.factorydr.archive.ArchiveFixture.OPENSSL_ENV;
import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.Hashes;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our archive read back by the stock tools an operator has: openssl, tar, sha256sum; and by our verifier. */
class ArchiveRoundTripTest {
    static final String LONG_NAME = "logs/" + "very-long-service-name-".repeat(6) + "2025-10-26.log";
    static final String NON_ASCII = "config/governance/politique-zürich-日本.yaml";
    static final String NAME = "full/20251026T030000Z.tar.gz.enc";

    @TempDir Path tmp;
    Path source;
    Path archive;
    Manifest manifest;
    byte[] redactedRegistry = "{\"keys\":[{\"key_id\":\"k1\",\"purpose\":\"tower\"}]}\n".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void build() throws Exception {
        source = tmp.resolve("runtime");
        Files.createDirectories(source.resolve("proof/digests"));
        Files.writeString(source.resolve("proof/proof-000000000001.json"), "{\"schema\":\"factory.proof.v1\",\"seq\":1}\n");
        Files.writeString(source.resolve("proof/digests/2025-10-23.json"), "{\"schema\":\"factory.digest.v1\"}\n");
        SampleData.file(source.resolve("logs/service.log"), 1_500_000, 7);
        SampleData.file(source.resolve(LONG_NAME), 10_000, 8);
        SampleData.file(source.resolve(NON_ASCII), 2_000, 9);
        Files.createDirectories(source.resolve("data"));
        Files.createFile(source.resolve("data/empty.db"));
        Files.setLastModifiedTime(source.resolve("proof/proof-000000000001.json"), FileTime.from(Instant.parse("2025-10-23T14:00:00Z")));
        assertThat(LONG_NAME.length()).isGreaterThan(100);

        manifest = ArchiveFixture.build(source, Map.of("config/key_registry.json", redactedRegistry), tmp.resolve("archive"), NAME, 2);
        archive = tmp.resolve("archive").resolve(NAME);
    }

    private List<String> expectedNames() {
        List<String> names = new ArrayList<>(manifest.files().toList().stream().map(FileRecord::path).toList());
        names.add("manifest.json");
        return names;
    }

    @Test
    void opensslAndTarListTheEntriesWithManifestLast() throws Exception {
        Tools.Result listing = Tools.bash(archive.getParent(), OPENSSL_ENV, DECRYPT + " -in " + archive.getFileName() + " | tar -tzf -").ok();
        assertThat(listing.stdout().lines().toList()).containsExactlyElementsOf(expectedNames()).contains(LONG_NAME, NON_ASCII);

        Tools.Result verbose = Tools.bash(archive.getParent(), OPENSSL_ENV, DECRYPT + " -in " + archive.getFileName() + " | tar -tzvf -").ok();
        List<String> lines = verbose.stdout().lines().toList();
        assertThat(lines).hasSize(expectedNames().size());
        assertThat(lines.get(lines.size() - 1)).endsWith(" manifest.json");
        assertThat(verbose.stdout()).contains("-rw-r--r-- 0/0").contains("2025-10-23 14:00 proof/proof-000000000001.json");
    }

    @Test
    void tarExtractsByteEqualFiles() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("restored"));
        Tools.bash(out, OPENSSL_ENV, DECRYPT + " -in " + archive + " | tar -xzf -").ok();
        for (FileRecord f : manifest.files().toList()) {
            Path restored = out.resolve(f.path());
            byte[] want = f.path().equals("config/key_registry.json") ? redactedRegistry : Files.readAllBytes(source.resolve(f.path()));
            assertThat(Files.readAllBytes(restored)).as(f.path()).isEqualTo(want);
            assertThat(Hashes.sha256Hex(want)).isEqualTo(f.sha256());
            assertThat(f.size()).isEqualTo(want.length);
        }
        assertThat(Files.getLastModifiedTime(out.resolve("proof/proof-000000000001.json")).toInstant())
                .isEqualTo(Instant.parse("2025-10-23T14:00:00Z"));
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(manifest.inTarJson());
    }

    @Test
    void tarIsPosixPaxNotGnu() throws Exception {
        Path plain = tmp.resolve("plain.tar");
        Tools.bash(archive.getParent(), OPENSSL_ENV, DECRYPT + " -in " + archive.getFileName() + " | gzip -dc > " + plain).ok();
        byte[] tar = Files.readAllBytes(plain);
        assertThat(Arrays.copyOfRange(tar, 257, 265)).as("ustar magic and version 00").isEqualTo("ustar\00000".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(tar, StandardCharsets.ISO_8859_1)).doesNotContain("././@LongLink");
        assertThat(tar.length % 512).isZero();
    }

    @Test
    void sha256sumChecksTheSidecar() throws Exception {
        Tools.Result r = Tools.bash(archive.getParent(), "sha256sum -c " + archive.getFileName() + ".sha256").ok();
        assertThat(r.stdout()).isEqualTo(archive.getFileName() + ": OK\n");
        String ours = Files.readString(Sidecars.sha256Path(archive));
        String theirs = Tools.bash(archive.getParent(), "sha256sum " + archive.getFileName()).ok().stdout();
        assertThat(ours).isEqualTo(theirs);
    }

    @Test
    void verifierPasses() throws Exception {
        ArchiveVerifier.VerifyResult result = new ArchiveVerifier().verify(archive, ArchiveFixture.PASSWORD, ArchiveFixture.SECRET);
        assertThat(result.backupId()).isEqualTo("full-20251026T030000Z");
        assertThat(result.files()).isEqualTo(7);
        assertThat(result.bytes()).isEqualTo(manifest.files().toList().stream().mapToLong(FileRecord::size).sum());
        assertThat(result.archiveSize()).isEqualTo(Files.size(archive));
        assertThat(Sidecars.readManifest(archive)).isEqualTo(manifest);
    }

    @Test
    void archiveReaderGivesEveryEntryBack() throws Exception {
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(archive)) {
            ArchiveReader.read(in, ArchiveFixture.PASSWORD, (entry, content) -> {
                names.add(entry.name());
                assertThat(entry.type()).isEqualTo(ArchiveReader.EntryType.FILE);
                assertThat(entry.mode()).isEqualTo(0100644);
                byte[] bytes = content.readAllBytes();
                content.close(); // harmless: the visitor's view only
                assertThat((long) bytes.length).isEqualTo(entry.size());
                if (Files.isRegularFile(source.resolve(entry.name()))) {
                    assertThat(bytes).isEqualTo(Files.readAllBytes(source.resolve(entry.name())));
                }
            });
        }
        assertThat(names).containsExactlyElementsOf(expectedNames());
    }

    @Test
    void weReadWhatStockToolsWrite() throws Exception {
        Path out = tmp.resolve("stock.tar.gz.enc");
        Tools.bash(source, OPENSSL_ENV, "tar --format=posix -czf - proof logs | openssl enc -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K > " + out).ok();
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(out)) {
            ArchiveReader.read(in, ArchiveFixture.PASSWORD, (entry, content) -> names.add(entry.name()));
        }
        assertThat(names).contains("proof/", "proof/proof-000000000001.json", LONG_NAME);
    }
}
