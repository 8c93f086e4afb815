package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Gzip;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestSignature;
import io.qontrek.factorydr.archive.OpensslCipher;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restic-style: take the real archive and break one thing; each broken archive is refused with
 * exit 1 and the live runtime stays exactly as it was (one hash over all of it, before and after).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreRefusesBadArchivesTest {
    Path tmp;
    Path root;
    Path archive;
    Path pristine;
    Map<String, String> env;
    String runtimeBefore;

    @BeforeAll
    void backUp(@TempDir Path classTmp) throws Exception {
        tmp = classTmp;
        root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(80).days(2).ledgerRows(80).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        env = Cli.env(tmp);
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            archive = s.filter(p -> p.toString().endsWith(".enc")).findFirst().orElseThrow();
        }
        pristine = Files.createDirectories(tmp.resolve("pristine"));
        for (String suffix : List.of("", ".sha256", ".manifest.json")) {
            Files.copy(Path.of(archive + suffix), pristine.resolve(archive.getFileName() + suffix));
        }
        runtimeBefore = runtimeHash();
    }

    /** The runtime a restore would replace; logs/ is left out: a failed restore writes its alert to logs/alerts/. */
    private String runtimeHash() throws Exception {
        return RuntimeHash.of(root, "proof", "config", "data");
    }

    @BeforeEach
    void putThePristineArchiveBack() throws Exception {
        for (String suffix : List.of("", ".sha256", ".manifest.json")) {
            Files.copy(pristine.resolve(archive.getFileName() + suffix), Path.of(archive + suffix), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void assertRefusedAndRuntimeUntouched(Cli.Result r, String... why) throws Exception {
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).contains(why);
        assertThat(root.resolve("logs/alerts")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("factory-dr-"));
        assertThat(runtimeHash()).isEqualTo(runtimeBefore);
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".restore-"));
        }
    }

    @Test
    void theUntouchedArchiveRestoresAsADryRun() throws Exception {
        Cli.Result r = Cli.run(env, "restore", "--date=latest", "--dry-run", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(runtimeHash()).isEqualTo(runtimeBefore);
    }

    @Test
    void aFlippedByte() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.seek(f.length() / 3);
            int b = f.read();
            f.seek(f.length() / 3);
            f.write(b ^ 0x40);
        }
        assertRefusedAndRuntimeUntouched(Cli.run(env, "restore", "--date=latest", "--root=" + root), "sha256");
    }

    @Test
    void aTruncatedArchive() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        assertRefusedAndRuntimeUntouched(Cli.run(env, "restore", "--date=latest", "--root=" + root), "verification failed");
    }

    @Test
    void theWrongKey() throws Exception {
        Map<String, String> wrong = new java.util.HashMap<>(env);
        wrong.put("ARCHIVE_ENCRYPTION_KEY", "the key of another site");
        assertRefusedAndRuntimeUntouched(Cli.run(wrong, "restore", "--date=latest", "--root=" + root), "wrong key");
    }

    @Test
    void aChecksumSidecarFromAnotherArchive() throws Exception {
        Path other = tmp.resolve("other-archive");
        String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertThat(Cli.run(env, "backup", "proofs", "--date=" + day, "--root=" + root, "--archive-dir=" + other).exit()).isZero();
        String otherSum = Files.readString(other.resolve("proof/" + day + ".tar.gz.enc.sha256")).split(" ")[0];
        Files.writeString(Path.of(archive + ".sha256"), otherSum + "  " + archive.getFileName() + "\n");
        assertRefusedAndRuntimeUntouched(Cli.run(env, "restore", "--date=latest", "--root=" + root), "sha256");
    }

    @Test
    void aHostileArchiveIsRefusedNamingTheEntryAndNothingLandsOutside() throws Exception {
        Path hostile = tmp.resolve("hostile/full/20250101T000000Z.tar.gz.enc");
        Files.createDirectories(hostile.getParent());
        byte[] evil = "owned\n".getBytes(StandardCharsets.UTF_8);
        try (OutputStream file = Files.newOutputStream(hostile);
                OutputStream enc = OpensslCipher.encrypting(file, Cli.ARCHIVE_KEY.getBytes(StandardCharsets.UTF_8));
                OutputStream gz = Gzip.compressing(enc, 1);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            TarArchiveEntry e = new TarArchiveEntry("proof/../../escaped-by-restore.txt", true);
            e.setSize(evil.length);
            tar.putArchiveEntry(e);
            tar.write(evil);
            tar.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("proof/link", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("/tmp");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            tar.finish();
        }
        // sealed like a real archive, so that it reaches the tar entries
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(hostile)));
        Manifest m = Manifest.unsealed("full-20250101T000000Z", Manifest.Type.FULL, Instant.parse("2025-01-01T00:00:00Z"), null,
                        List.of(new FileRecord("proof/x.json", 1, "0".repeat(64))), null, null, List.of(), List.of())
                .withArchive("full/20250101T000000Z.tar.gz.enc", Files.size(hostile), sha);
        m = m.withSignature(ManifestSignature.sign(m, Cli.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8)));
        Sidecars.writeSha256(hostile, sha);
        Sidecars.writeManifest(hostile, m);

        Cli.Result r = Cli.run(env, "restore", "--archive=" + hostile, "--root=" + root);
        assertRefusedAndRuntimeUntouched(r, "proof/../../escaped-by-restore.txt");
        try (Stream<Path> s = Files.walk(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).doesNotContain("escaped-by-restore.txt");
        }
    }
}
