package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Gzip;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestSignature;
import io.qontrek.factorydr.archive.OpensslCipher;
import io.qontrek.factorydr.archive.ParallelGzipOutputStream;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.Secrets;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlapped archive path: small files read ahead, the archive read back while it is written,
 * parallel gzip. What it stores must pass the independent verifier, and what it reads back must be
 * what is in the file: a damaged byte on its way to disk or a manifest that disagrees is caught.
 */
class OverlappedArchiveTest {
    static final Secrets SECRETS = new Secrets(Map.of(
            "ARCHIVE_ENCRYPTION_KEY", "overlap-test-archive-key", "FACTORY_SIGNING_SECRET", "overlap-test-signing-secret"));

    @TempDir Path tmp;

    private Path source() throws IOException {
        Path src = tmp.resolve("src");
        Random random = new Random(7);
        for (int i = 0; i < 1500; i++) { // more than the read-ahead window
            Path f = src.resolve("proof/proof-" + String.format("%012d", i) + ".json");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "{\"seq\":" + i + ",\"merkle_root\":\"" + Long.toHexString(random.nextLong()) + "\"}\n");
        }
        byte[] big = new byte[3 << 20]; // over ReadAhead.SMALL: streamed by the tar
        for (int i = 0; i < big.length; i++) big[i] = (byte) ("ledger row " + (i / 64)).charAt(i % 10);
        Files.createDirectories(src.resolve("data"));
        Files.write(src.resolve("data/big.db"), big);
        Files.createDirectories(src.resolve("logs"));
        Files.writeString(src.resolve("logs/service.log"), "started\n");
        return src;
    }

    private static List<BackupSet.Entry> entries(Path src) throws IOException {
        List<BackupSet.Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(src)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                String name = src.relativize(f).toString();
                out.add(name.startsWith("logs/") ? BackupSet.Entry.log(name, f) : BackupSet.Entry.file(name, f));
            }
        }
        return out;
    }

    private static BackupSet set(List<BackupSet.Entry> entries) {
        return new BackupSet("full", "full-20251026T030000Z", "full/20251026T030000Z.tar.gz.enc",
                Instant.parse("2025-10-26T03:00:00Z"), null, entries, null, null, List.of(), List.of(), null);
    }

    private static ArchivePipeline pipeline(BackupSet set) {
        return ArchivePipeline.tar(set).then("gzip", out -> Gzip.compressing(out, 2))
                .then("encrypt", out -> OpensslCipher.encrypting(out, SECRETS.archiveKey()));
    }

    @Test
    void whatItStoresPassesTheVerifier() throws Exception {
        Path src = source();
        Path archiveDir = tmp.resolve("archive");
        StoredArchive stored = new ArchiveStore(archiveDir, SECRETS).store(pipeline(set(entries(src))), ProgressListener.NONE, unsigned -> { });

        ArchiveVerifier.VerifyResult result = new ArchiveVerifier().verify(stored.file(), SECRETS.archiveKey(), SECRETS.signingSecret());
        assertThat(result.files()).isEqualTo(1502);
        assertThat(stored.manifest().files().toList()).extracting(FileRecord::path)
                .startsWith("data/big.db").contains("logs/service.log", "proof/proof-000000001499.json");
        assertThat(archiveDir.resolve(".work")).satisfiesAnyOf(
                d -> assertThat(Files.exists(d)).isFalse(),
                d -> assertThat(Files.walk(d).filter(Files::isRegularFile)).isEmpty());
    }

    @Test
    void aFileGoneBeforeItIsReadFailsTheBackupNamingItButARotatedLogIsLeftOut() throws Exception {
        Path src = source();
        List<BackupSet.Entry> entries = entries(src);
        Files.delete(src.resolve("logs/service.log"));
        StoredArchive stored = new ArchiveStore(tmp.resolve("a1"), SECRETS).store(pipeline(set(entries)), ProgressListener.NONE, unsigned -> { });
        assertThat(stored.manifest().files().toList()).extracting(FileRecord::path).doesNotContain("logs/service.log").hasSize(1501);

        Files.delete(src.resolve("proof/proof-000000000700.json"));
        Path archiveDir = tmp.resolve("a2");
        assertThatThrownBy(() -> new ArchiveStore(archiveDir, SECRETS).store(pipeline(set(entries)), ProgressListener.NONE, unsigned -> { }))
                .hasMessageContaining("proof-000000000700.json");
        assertThat(archiveDir.resolve("full")).doesNotExist();
    }

    /** Writes the archive of {@code set} through {@code damage} into a file followed by a read-back; seals it. */
    private ArchiveReadBack writeAndFollow(BackupSet set, Path file, java.util.function.UnaryOperator<OutputStream> damage,
            java.util.function.UnaryOperator<List<FileRecord>> manifestFiles) throws IOException {
        Files.createDirectories(file.getParent());
        ArchiveReadBack.Output written;
        ArchiveReadBack check;
        io.qontrek.factorydr.archive.FileList records;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            written = new ArchiveReadBack.Output(ch);
            check = ArchiveReadBack.start(file, written, SECRETS.archiveKey());
            OutputStream out = damage.apply(written);
            records = pipeline(set).writeTo(out, recs -> unsealed(set, recs), file.getParent(), ProgressListener.NONE);
            out.flush();
            written.done();
        }
        Manifest m = unsealed(set, io.qontrek.factorydr.archive.FileList.of(manifestFiles.apply(records.toList())))
                .withArchive(set.name(), written.count(), written.sha256());
        Manifest signed = m.withSignature(ManifestSignature.sign(m, SECRETS.signingSecret()));
        Sidecars.writeSha256(file, m.archive().sha256());
        Sidecars.writeManifest(file, signed);
        return check;
    }

    private static Manifest unsealed(BackupSet set, io.qontrek.factorydr.archive.FileList records) {
        return Manifest.unsealed(set.backupId(), Manifest.Type.FULL, set.createdAt(), null, records, null, null, List.of(), List.of());
    }

    @Test
    void theReadBackCatchesAByteDamagedOnItsWayToTheFile() throws Exception {
        BackupSet set = set(entries(source()));
        ArchiveReadBack check = writeAndFollow(set, tmp.resolve("damaged").resolve(set.name()), file -> new FilterOutputStream(file) {
            long at;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                if (at <= 100_000 && 100_000 < at + len) copy[(int) (100_000 - at)] ^= 0x40; // one bit, mid-archive
                at += len;
                out.write(copy, 0, len);
            }
        }, files -> files);
        assertThatThrownBy(() -> check.verify(SECRETS.signingSecret()))
                .hasMessageStartingWith("20251026T030000Z.tar.gz.enc: ")
                .hasMessageMatching("(?s).*(wrong key or corrupt archive|gzip: |tar: ).*");
    }

    @Test
    void theReadBackCatchesAManifestThatDisagreesWithTheArchive() throws Exception {
        BackupSet set = set(entries(source()));
        ArchiveReadBack check = writeAndFollow(set, tmp.resolve("lying").resolve(set.name()), file -> file, files -> {
            List<FileRecord> out = new ArrayList<>(files);
            FileRecord f = out.get(5);
            out.set(5, new FileRecord(f.path(), f.size(), "0".repeat(64)));
            return out;
        });
        assertThatThrownBy(() -> check.verify(SECRETS.signingSecret())).hasMessageContaining("SHA-256 differs from the manifest");

        ArchiveReadBack ok = writeAndFollow(set, tmp.resolve("honest").resolve(set.name()), file -> file, files -> files);
        ok.verify(SECRETS.signingSecret());
    }

    @Test
    void theReadAheadHoldsOnlySmallFilesAndReportsEachInSetOrder() throws Exception {
        Path proof = Files.writeString(tmp.resolve("proof.json"), "{\"seq\":1}\n");
        Path big = Files.write(tmp.resolve("big.log"), new byte[ReadAhead.SMALL + 1]);
        Path gone = tmp.resolve("rotated.log");
        Path missing = tmp.resolve("missing.json");
        List<BackupSet.Entry> entries = List.of(BackupSet.Entry.file("proof/proof.json", proof), BackupSet.Entry.log("logs/big.log", big),
                BackupSet.Entry.log("logs/rotated.log", gone), BackupSet.Entry.file("proof/missing.json", missing),
                BackupSet.Entry.bytes("config/x.json", new byte[] {1}, Instant.EPOCH));
        try (ReadAhead ahead = new ReadAhead(entries.iterator())) {
            ReadAhead.Item first = ahead.next();
            assertThat(first.entry().path()).isEqualTo("proof/proof.json");
            assertThat(new String(ReadAhead.take(first).bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"seq\":1}\n");
            assertThat(ReadAhead.take(ahead.next()).large()).as("over the limit: the tar streams it").isTrue();
            assertThat(ReadAhead.take(ahead.next()).gone()).as("a log rotated away").isTrue();
            ReadAhead.Item fails = ahead.next();
            assertThatThrownBy(() -> ReadAhead.take(fails)).hasMessageContaining("missing.json");
            assertThat(ahead.next().read()).as("bytes in memory are not read").isNull();
            assertThat(ahead.next()).isNull();
        }
    }

    @Test
    void aFailingSinkFailsTheParallelGzipWithItsMessage() throws Exception {
        OutputStream full = new OutputStream() {
            long n;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                n += len;
                if (n > 200_000) throw new IOException("File too large");
            }
        };
        byte[] chunk = new byte[64 * 1024];
        new Random(1).nextBytes(chunk);
        assertThatThrownBy(() -> {
            try (OutputStream gz = new ParallelGzipOutputStream(full, 2)) {
                for (int i = 0; i < 200; i++) gz.write(chunk);
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("File too large");
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (OutputStream gz = new ParallelGzipOutputStream(plain, 2)) {
            gz.write("after a failure, a new stream works".getBytes(StandardCharsets.UTF_8));
        }
        try (var in = Gzip.decompressing(new java.io.ByteArrayInputStream(plain.toByteArray()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("after a failure, a new stream works");
        }
    }
}
