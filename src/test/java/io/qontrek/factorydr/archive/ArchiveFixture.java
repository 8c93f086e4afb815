package io.qontrek.factorydr.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Builds a real archive the way a backup does: write, seal, sign, sidecars. */
final class ArchiveFixture {
    static final String KEY = "archive key: not a real one";
    static final byte[] PASSWORD = KEY.getBytes(StandardCharsets.UTF_8);
    static final byte[] SECRET = "factory signing secret".getBytes(StandardCharsets.UTF_8);
    static final Map<String, String> OPENSSL_ENV = Map.of("K", KEY, "LC_ALL", "C.UTF-8");
    static final String DECRYPT = "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K";

    private ArchiveFixture() {}

    /**
     * Archives every regular file under {@code source} (relative names, sorted) plus {@code extras}, into
     * {@code archiveRoot/relativeName}, and writes both sidecars. Returns the signed manifest.
     */
    static Manifest build(Path source, Map<String, byte[]> extras, Path archiveRoot, String relativeName, int threads) throws IOException {
        Path archive = archiveRoot.resolve(relativeName);
        Files.createDirectories(archive.getParent());
        try (ArchiveWriter writer = ArchiveWriter.create(archive, PASSWORD, threads)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(source)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) writer.tar().addFile(source.relativize(f).toString(), f);
            for (Map.Entry<String, byte[]> e : extras.entrySet()) {
                writer.tar().addBytes(e.getKey(), e.getValue(), Instant.parse("2025-10-26T02:59:00Z"));
            }
            Manifest unsealed = Manifest.unsealed("full-20251026T030000Z", Manifest.Type.FULL,
                    Instant.now().truncatedTo(ChronoUnit.SECONDS), null, writer.tar().files(), null, null,
                    List.copyOf(extras.keySet()), List.of("config/tls/server.key"));
            ArchiveWriter.Written written = writer.finish(unsealed.inTarJson());
            return seal(archive, relativeName, unsealed, written.size(), written.sha256());
        }
    }

    /** Signs {@code m} for an archive file of that size and hash and (re)writes both sidecars. */
    static Manifest seal(Path archive, String relativeName, Manifest m, long size, String sha256) throws IOException {
        Manifest sealed = m.withArchive(relativeName, size, sha256);
        Manifest signed = sealed.withSignature(ManifestSignature.sign(sealed, SECRET));
        Sidecars.writeSha256(archive, sha256);
        Sidecars.writeManifest(archive, signed);
        return signed;
    }
}
