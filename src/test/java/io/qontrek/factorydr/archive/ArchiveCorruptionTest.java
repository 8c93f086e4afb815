package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.common.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restic-style: take a real archive and break one thing each; the verifier must fail with one line that
 * says what failed. "Resealed" cases also rewrite both sidecars to match the damaged file, so the damage
 * is found by the deeper layer (decryption, gzip, tar, per-file hashes) rather than by X.sha256.
 */
class ArchiveCorruptionTest {
    static final String NAME = "full/20251026T030000Z.tar.gz.enc";
    static final String X = "20251026T030000Z.tar.gz.enc";
    static final String PROOF = "proof/proof-000000000001.json";

    @TempDir Path tmp;
    Path archive;
    Manifest manifest;

    @BeforeEach
    void build() throws Exception {
        Path source = tmp.resolve("runtime");
        Files.createDirectories(source.resolve("proof"));
        Files.writeString(source.resolve(PROOF), "{\"schema\":\"factory.proof.v1\",\"seq\":1}\n");
        SampleData.file(source.resolve("logs/service.log"), 3_000_000, 11);
        manifest = ArchiveFixture.build(source, Map.of(), tmp.resolve("archive"), NAME, 2);
        archive = tmp.resolve("archive").resolve(NAME);
        verify(); // the intact archive passes
    }

    private ArchiveVerifier.VerifyResult verify() throws ArchiveException {
        return verify(ArchiveFixture.PASSWORD);
    }

    private ArchiveVerifier.VerifyResult verify(byte[] password) throws ArchiveException {
        return new ArchiveVerifier().verify(archive, password, ArchiveFixture.SECRET);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertVerifyFails() {
        AbstractThrowableAssert<?, ? extends Throwable> failure = assertThatThrownBy(this::verify).isInstanceOf(ArchiveException.class);
        failure.satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        return failure;
    }

    private void flip(long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(archive);
        int i = (int) (offset < 0 ? bytes.length + offset : offset);
        bytes[i] ^= 0x01;
        Files.write(archive, bytes);
    }

    private void truncate(long by) throws IOException {
        byte[] bytes = Files.readAllBytes(archive);
        Files.write(archive, java.util.Arrays.copyOf(bytes, (int) (bytes.length - by)));
    }

    /** Rewrites both sidecars so they describe the (damaged) file as it now is. */
    private void reseal(Manifest m) throws IOException {
        byte[] bytes = Files.readAllBytes(archive);
        ArchiveFixture.seal(archive, NAME, m, bytes.length, Hashes.sha256Hex(bytes));
    }

    private static Manifest withFiles(Manifest m, List<FileRecord> files) {
        return new Manifest(m.backupId(), m.type(), m.createdAt(), m.base(), FileList.of(files), m.proofHead(), m.ledgerHead(),
                m.redacted(), m.skipped(), m.archive(), null);
    }

    // (a) X.sha256

    @Test
    void flipOneByteInTheMiddle() throws Exception {
        flip(Files.size(archive) / 2);
        assertVerifyFails().hasMessage(X + ": SHA-256 does not match " + X + ".sha256");
    }

    @Test
    void flipTheLastByte() throws Exception {
        flip(-1);
        assertVerifyFails().hasMessage(X + ": SHA-256 does not match " + X + ".sha256");
    }

    @Test
    void truncate() throws Exception {
        truncate(1000);
        assertVerifyFails().hasMessage(X + ": SHA-256 does not match " + X + ".sha256");
    }

    @Test
    void sha256SidecarFromAnotherArchiveOfTheSameName() throws Exception {
        Path otherSource = Files.createDirectories(tmp.resolve("other/proof"));
        Files.writeString(otherSource.resolve("p.json"), "{}");
        ArchiveFixture.build(tmp.resolve("other"), Map.of(), tmp.resolve("other-archive"), NAME, 1);
        Files.copy(Sidecars.sha256Path(tmp.resolve("other-archive").resolve(NAME)), Sidecars.sha256Path(archive),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertVerifyFails().hasMessage(X + ": SHA-256 does not match " + X + ".sha256");
    }

    @Test
    void sha256SidecarNamingAnotherFile() throws Exception {
        String line = Files.readString(Sidecars.sha256Path(archive)).replace(X, "20251025T030000Z.tar.gz.enc");
        Files.writeString(Sidecars.sha256Path(archive), line);
        assertVerifyFails().hasMessage(X + ".sha256: names '20251025T030000Z.tar.gz.enc', not '" + X + "'");
    }

    @Test
    void sha256SidecarMissingOrMangled() throws Exception {
        Files.writeString(Sidecars.sha256Path(archive), "not a checksum\n");
        assertVerifyFails().hasMessageStartingWith(X + ".sha256: not in sha256sum format");
        Files.delete(Sidecars.sha256Path(archive));
        assertVerifyFails().hasMessage(X + ".sha256: missing");
    }

    @Test
    void damageAndTamperingTogetherReportTheFirstCheck() throws Exception {
        flip(100);
        Files.writeString(Sidecars.manifestPath(archive), "{}");
        assertVerifyFails().hasMessage(X + ": SHA-256 does not match " + X + ".sha256");
    }

    // (b) X.manifest.json

    @Test
    void manifestTampered() throws Exception {
        Path sidecar = Sidecars.manifestPath(archive);
        Files.writeString(sidecar, Files.readString(sidecar).replace("full-20251026T030000Z", "full-20251027T030000Z"));
        assertVerifyFails().hasMessage(X + ".manifest.json: signature does not verify");
    }

    @Test
    void manifestSignedWithAnotherSecret() throws Exception {
        Manifest sealed = manifest.withArchive(NAME, manifest.archive().size(), manifest.archive().sha256());
        Sidecars.writeManifest(archive, sealed.withSignature(ManifestSignature.sign(sealed, "not our secret".getBytes())));
        assertVerifyFails().hasMessage(X + ".manifest.json: signature does not verify");
    }

    @Test
    void manifestMissingOrNotJson() throws Exception {
        Files.writeString(Sidecars.manifestPath(archive), "{\"schema\":");
        assertVerifyFails().hasMessageStartingWith(X + ".manifest.json: manifest is not valid JSON");
        Files.delete(Sidecars.manifestPath(archive));
        assertVerifyFails().hasMessage(X + ".manifest.json: missing");
    }

    @Test
    void manifestForAnotherArchiveName() throws Exception {
        ArchiveFixture.seal(archive, "full/20251025T030000Z.tar.gz.enc", manifest, manifest.archive().size(), manifest.archive().sha256());
        assertVerifyFails().hasMessage(X + ".manifest.json: archive.name 'full/20251025T030000Z.tar.gz.enc' is not " + X);
    }

    @Test
    void manifestWithAnotherArchiveSize() throws Exception {
        ArchiveFixture.seal(archive, NAME, manifest, manifest.archive().size() + 16, manifest.archive().sha256());
        assertVerifyFails().hasMessageStartingWith(X + ".manifest.json: archive.size ");
    }

    @Test
    void manifestWithAnotherArchiveHash() throws Exception {
        ArchiveFixture.seal(archive, NAME, manifest, manifest.archive().size(), Hashes.sha256Hex("another archive"));
        Sidecars.writeSha256(archive, manifest.archive().sha256()); // X.sha256 stays right; only the manifest lies
        assertVerifyFails().hasMessage(X + ".manifest.json: archive.sha256 does not match " + X);
    }

    // (c) decryption, gzip, tar

    @Test
    void wrongKey() {
        assertThatThrownBy(() -> verify("wrong key".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ArchiveException.class).hasMessage(X + ": wrong key: it does not decrypt with this"
                        + " ARCHIVE_ENCRYPTION_KEY (the file is intact: its SHA-256 matches " + X + ".sha256 and its signed manifest)");
    }

    @Test
    void flipTheLastByteResealed() throws Exception {
        flip(-1);
        reseal(manifest);
        assertVerifyFails().hasMessage(X + ": wrong key or corrupt archive");
    }

    @Test
    void truncateResealed() throws Exception {
        truncate(1000 + 7);
        reseal(manifest);
        assertVerifyFails().hasMessage(X + ": wrong key or corrupt archive");
    }

    /**
     * Each run has a new salt, so the damaged block decrypts to different noise, which may first show as a
     * bad deflate code or a garbage tar header; the reader reads on to the cause, the gzip CRC.
     */
    @RepeatedTest(5)
    void flipOneByteInTheMiddleResealed() throws Exception {
        flip(Files.size(archive) / 2);
        reseal(manifest);
        assertVerifyFails().hasMessageStartingWith(X + ": gzip: ");
    }

    /** Resealing takes the signing secret: a file so damaged and re-signed cannot be told from a wrong key. */
    @Test
    void flipOneByteOfTheFirstBlockResealed() throws Exception {
        flip(16 + 3); // inside the first cipher block, the gzip header
        reseal(manifest);
        assertVerifyFails().hasMessageStartingWith(X + ": wrong key: ");
    }

    @Test
    void aDamagedFirstBlockIsNotCalledAWrongKey() throws Exception {
        flip(16 + 3);
        assertVerifyFails().hasMessage(X + ": SHA-256 does not match " + X + ".sha256");
    }

    @Test
    void notEncryptedAtAll() throws Exception {
        Files.writeString(archive, "just text");
        reseal(manifest);
        assertVerifyFails().hasMessage(X + ": not an openssl-enc archive");
    }

    // (d) per-file checks against the signed manifest

    @Test
    void fileEntryHashChangedAndResigned() throws Exception {
        List<FileRecord> files = new ArrayList<>();
        for (FileRecord f : manifest.files().toList()) {
            files.add(f.path().equals(PROOF) ? new FileRecord(PROOF, f.size(), Hashes.sha256Hex("forged")) : f);
        }
        reseal(withFiles(manifest, files));
        assertVerifyFails().hasMessage(X + ": '" + PROOF + "' SHA-256 differs from the manifest");
    }

    @Test
    void fileEntryModeOrOwnerChangedAndResigned() throws Exception {
        for (int change = 0; change < 3; change++) {
            List<FileRecord> files = new ArrayList<>();
            for (FileRecord f : manifest.files().toList()) {
                EntryAttributes a = f.attributes();
                assertThat(a).as("the fixture's files are archived with their attributes").isNotNull();
                EntryAttributes forged = switch (change) {
                    case 0 -> new EntryAttributes(a.mode() ^ 0004, a.mtime(), a.uid(), a.gid());
                    case 1 -> new EntryAttributes(a.mode(), a.mtime().plusSeconds(1), a.uid(), a.gid());
                    default -> new EntryAttributes(a.mode(), a.mtime(), a.uid() + 1, a.gid());
                };
                files.add(f.path().equals(PROOF) ? new FileRecord(PROOF, f.size(), f.sha256(), forged) : f);
            }
            reseal(withFiles(manifest, files));
            assertVerifyFails().hasMessage(X + ": '" + PROOF + "' tar header mode, mtime or owner differs from the manifest");
        }
    }

    @Test
    void fileEntrySizeChangedAndResigned() throws Exception {
        List<FileRecord> files = new ArrayList<>();
        for (FileRecord f : manifest.files().toList()) {
            files.add(f.path().equals(PROOF) ? new FileRecord(PROOF, f.size() + 1, f.sha256()) : f);
        }
        reseal(withFiles(manifest, files));
        assertVerifyFails().hasMessageStartingWith(X + ": '" + PROOF + "' is ");
    }

    @Test
    void fileMissingFromTheArchive() throws Exception {
        List<FileRecord> files = new ArrayList<>(manifest.files().toList());
        files.add(new FileRecord("proof/proof-000000000002.json", 10, Hashes.sha256Hex("2")));
        reseal(withFiles(manifest, files));
        assertVerifyFails().hasMessage(X + ": 'proof/proof-000000000002.json' is in the manifest but missing from the archive");
    }

    @Test
    void extraFileInTheArchive() throws Exception {
        List<FileRecord> files = manifest.files().toList().stream().filter(f -> !f.path().equals(PROOF)).toList();
        reseal(withFiles(manifest, files));
        assertVerifyFails().hasMessage(X + ": '" + PROOF + "' is in the archive but not in the manifest");
    }

    // (e) the in-tar manifest

    @Test
    void inTarManifestDiffersFromTheSidecar() throws Exception {
        Manifest changed = new Manifest(manifest.backupId(), manifest.type(), manifest.createdAt(), manifest.base(), manifest.files(),
                manifest.proofHead(), manifest.ledgerHead(), manifest.redacted(), List.of("config/other.key"), null, null);
        reseal(changed);
        assertVerifyFails().hasMessage(X + ": manifest.json in the archive differs from the sidecar manifest");
    }

    @Test
    void inTarManifestInPrettyFormIsComparedAsCanonicalJson() throws Exception {
        Manifest inTarForm = new Manifest(manifest.backupId(), manifest.type(), manifest.createdAt(), manifest.base(), manifest.files(),
                manifest.proofHead(), manifest.ledgerHead(), manifest.redacted(), manifest.skipped(), null, null);
        byte[] pretty = ManifestJson.pretty(inTarForm);
        assertThat(pretty).isNotEqualTo(ManifestJson.canonical(inTarForm, ManifestJson.Form.IN_TAR));
        rewriteInTarManifest(pretty);
        assertThat(verify().files()).isEqualTo(2); // the bytes differ, the JSON does not
    }

    @Test
    void inTarManifestThatIsNotJson() throws Exception {
        rewriteInTarManifest("{\"backup_id\": ".getBytes(StandardCharsets.UTF_8));
        assertVerifyFails().hasMessageStartingWith(X + ": manifest.json in the archive is not valid manifest JSON: ");
    }

    /** Writes the archive anew (stock gzip, same entries and headers) with {@code json} as its manifest.json, and reseals it. */
    private void rewriteInTarManifest(byte[] json) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                new java.util.zip.GZIPOutputStream(OpensslCipher.encrypting(bytes, ArchiveFixture.PASSWORD)))) {
            tar.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
            try (var in = Files.newInputStream(archive)) {
                ArchiveReader.read(in, ArchiveFixture.PASSWORD, (entry, content) -> {
                    byte[] data = entry.name().equals(EntryNames.MANIFEST) ? json : content.readAllBytes();
                    var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(entry.name());
                    e.setSize(data.length);
                    e.setMode(entry.mode());
                    e.setModTime(entry.mtime().toEpochMilli());
                    e.setUserId(entry.uid());
                    e.setGroupId(entry.gid());
                    tar.putArchiveEntry(e);
                    tar.write(data);
                    tar.closeArchiveEntry();
                });
            }
        }
        Files.write(archive, bytes.toByteArray());
        reseal(manifest);
    }

    @Test
    void aScratchCopyThatCannotBeWrittenNamesWhereAndADamagedArchiveIsStillReportedFirst() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("spill-here"), "a file where the scratch directory should be");
        // this machine's problem, not a verdict on the archive
        assertThatThrownBy(() -> new ArchiveVerifier(notADirectory).verify(archive, ArchiveFixture.PASSWORD, ArchiveFixture.SECRET, null))
                .isNotInstanceOf(ArchiveException.class)
                .hasMessageStartingWith("cannot keep the archive's manifest.json in " + notADirectory + ": ");
        Sidecars.writeSha256(archive, Hashes.sha256Hex("another archive")); // the pass reads on to manifest.json
        assertThatThrownBy(() -> new ArchiveVerifier(notADirectory).verify(archive, ArchiveFixture.PASSWORD, ArchiveFixture.SECRET))
                .hasMessage(X + ": SHA-256 does not match " + X + ".sha256");
    }

    @Test
    void resultCountsFilesAndBytes() throws Exception {
        ArchiveVerifier.VerifyResult result = verify();
        assertThat(result.files()).isEqualTo(2);
        assertThat(result.bytes()).isEqualTo(3_000_000 + Files.size(tmp.resolve("runtime").resolve(PROOF)));
        assertThat(result.archiveSha256()).isEqualTo(manifest.archive().sha256());
    }

    // verify while extracting: one pass hands every entry to an extractor as it is hashed

    private ArchiveVerifier.VerifyResult verifyInto(ArchiveReader.EntryVisitor extractor) throws IOException {
        return new ArchiveVerifier().verify(archive, ArchiveFixture.PASSWORD, ArchiveFixture.SECRET, extractor);
    }

    @Test
    void theExtractorGetsEveryEntryWithItsBytes() throws Exception {
        Map<String, String> seen = new java.util.LinkedHashMap<>();
        ArchiveVerifier.VerifyResult result = verifyInto((entry, content) -> {
            if (entry.type() == ArchiveReader.EntryType.FILE) seen.put(entry.name(), Hashes.sha256Hex(content.readAllBytes()));
        });
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        for (FileRecord f : manifest.files().toList()) expected.put(f.path(), f.sha256());
        assertThat(seen).containsAllEntriesOf(expected).containsKey(EntryNames.MANIFEST).hasSize(expected.size() + 1);
        assertThat(result.files()).isEqualTo(manifest.files().toList().size());
    }

    @Test
    void theExtractorsOwnFailureIsRethrownUnchanged() {
        IOException full = new IOException("No space left on device");
        assertThatThrownBy(() -> verifyInto((entry, content) -> {
            if (entry.name().equals(PROOF)) throw full;
        })).isSameAs(full);
    }

    @Test
    void aCorruptArchiveIsReportedRatherThanTheExtractorsFailure() throws Exception {
        flip(Files.size(archive) / 2);
        assertThatThrownBy(() -> verifyInto((entry, content) -> {
            throw new IOException("the extractor gave up");
        })).isInstanceOf(ArchiveException.class).hasMessage(X + ": SHA-256 does not match " + X + ".sha256");
    }

    @Test
    void nothingReachesTheExtractorWhenTheManifestDoesNotVerify() throws Exception {
        Path sidecar = Sidecars.manifestPath(archive);
        Files.writeString(sidecar, Files.readString(sidecar).replace("full-20251026T030000Z", "full-20251027T030000Z"));
        List<String> handed = new ArrayList<>();
        assertThatThrownBy(() -> verifyInto((entry, content) -> handed.add(entry.name())))
                .hasMessage(X + ".manifest.json: signature does not verify");
        assertThat(handed).isEmpty();
    }
}
