package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StoreSteps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Builds a real archive the way a backup does (the archive-store steps), and re-seals one a test changed. */
final class ArchiveFixture {
    static final String KEY = "archive key: not a real one";
    static final byte[] PASSWORD = KEY.getBytes(StandardCharsets.UTF_8);
    static final byte[] SECRET = "factory signing secret".getBytes(StandardCharsets.UTF_8);
    static final Map<String, String> OPENSSL_ENV = Map.of("K", KEY, "LC_ALL", "C.UTF-8");
    static final String DECRYPT = "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K";

    private ArchiveFixture() {}

    /**
     * Archives every regular file under {@code source} (relative names, sorted) plus {@code extras}, into
     * {@code archiveRoot/relativeName}, with both sidecars, through the archive-store steps (the one
     * writer). Returns the signed manifest.
     */
    static Manifest build(Path source, Map<String, byte[]> extras, Path archiveRoot, String relativeName, int threads) throws IOException {
        List<BackupSet.Entry> entries = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                entries.add(BackupSet.Entry.file(source.relativize(f).toString(), f));
            }
        }
        for (Map.Entry<String, byte[]> e : extras.entrySet()) {
            entries.add(BackupSet.Entry.bytes(e.getKey(), e.getValue(), Instant.parse("2025-10-26T02:59:00Z")));
        }
        BackupSet set = new BackupSet("full", "full-20251026T030000Z", relativeName, Instant.now().truncatedTo(ChronoUnit.SECONDS), null,
                entries, null, null, List.copyOf(extras.keySet()), List.of("config/tls/server.key"), null);
        return StoreSteps.store(archiveRoot, set, PASSWORD, SECRET, threads).manifest();
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
