package io.qontrek.factorydr.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SafeExtractorTest {
    Path classTmp;
    RuntimeLayout layout;
    StoredArchive full;
    StoredArchive day;

    @TempDir Path tmp;

    @BeforeAll
    void backUpARuntime(@TempDir Path dir) throws Exception {
        classTmp = dir;
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        layout = Archives.layout(dir.resolve("runtime"));
        Archives.runtime(layout.root(), 60, end);
        full = Archives.full(layout, end.plusSeconds(60));
        day = Archives.proofDay(layout, LocalDate.ofInstant(end, ZoneOffset.UTC), end.plusSeconds(120));
    }

    // --- a real archive, written by the project's own writer

    @Test
    void extractsEveryFileOfAFullBackupAsTheManifestListsIt() throws Exception {
        Path staging = tmp.resolve("staging");
        SafeExtractor.ExtractResult r = SafeExtractor.extract(full.file(), Archives.key(), staging, name -> true);

        List<FileRecord> files = full.manifest().files().toList();
        assertThat(staged(staging)).containsExactlyInAnyOrderElementsOf(files.stream().map(FileRecord::path).toList());
        assertThat(r.files()).isEqualTo(files.size());
        assertThat(r.bytes()).isEqualTo(files.stream().mapToLong(FileRecord::size).sum());
        for (FileRecord f : files) {
            Path p = staging.resolve(f.path());
            assertThat(Files.size(p)).as(f.path()).isEqualTo(f.size());
            assertThat(TreeSnapshot.sha256(p)).as(f.path()).isEqualTo(f.sha256());
        }
        assertThat(staging.resolve("manifest.json")).doesNotExist();
        try (var s = Files.walk(staging)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".part")).toList()).as("temp files left").isEmpty();
        }
    }

    @Test
    void matchesWhatOpensslAndTarExtractByteForByteMtimeIncluded() throws Exception {
        Path ours = tmp.resolve("ours");
        Path theirs = Files.createDirectories(tmp.resolve("theirs"));
        SafeExtractor.extract(full.file(), Archives.key(), ours, name -> true);
        ProcessBuilder pb = new ProcessBuilder("bash", "-o", "pipefail", "-c",
                "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '" + full.file() + "' | tar -xzf -")
                .directory(theirs.toFile()).redirectErrorStream(true);
        pb.environment().put("K", Archives.ARCHIVE_KEY);
        Process q = pb.start();
        String out = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(q.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).as(out).isZero();
        Files.delete(theirs.resolve("manifest.json"));

        Map<String, String> a = filesOnly(TreeSnapshot.of(ours));
        Map<String, String> b = filesOnly(TreeSnapshot.of(theirs));
        assertThat(a).hasSize(full.manifest().files().toList().size()).isEqualTo(b);
    }

    @Test
    void writesOnlyTheEntriesTheScopeWantsButChecksThemAll() throws Exception {
        Path staging = tmp.resolve("staging");
        SafeExtractor.ExtractResult r = SafeExtractor.extract(full.file(), Archives.key(), staging,
                name -> name.startsWith("data/") && name.endsWith(".db"));
        assertThat(staged(staging)).containsExactly("data/federation_ledger.db", "data/nonce_store.db", "data/receipts.db");
        assertThat(r.files()).isEqualTo(3);
        try (var s = Files.list(staging)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("data");
        }
    }

    @Test
    void aLaterArchiveReplacesTheFilesOfAnEarlierOneInTheSameStaging() throws Exception {
        Path staging = tmp.resolve("staging");
        SafeExtractor.extract(full.file(), Archives.key(), staging, name -> name.startsWith("proof/"));
        Files.writeString(staging.resolve(day.manifest().files().toList().get(0).path()), "stale");
        SafeExtractor.ExtractResult r = SafeExtractor.extract(day.file(), Archives.key(), staging, name -> name.startsWith("proof/"));
        assertThat(r.files()).isEqualTo(day.manifest().files().toList().size());
        for (FileRecord f : day.manifest().files().toList()) {
            assertThat(TreeSnapshot.sha256(staging.resolve(f.path()))).isEqualTo(f.sha256());
        }
    }

    @Test
    void aWrongKeyIsRefusedAsSuch() {
        assertThatThrownBy(() -> SafeExtractor.extract(full.file(), "not the key".getBytes(StandardCharsets.UTF_8),
                tmp.resolve("staging"), name -> true))
                .isInstanceOf(ArchiveException.class).hasMessage("wrong key or corrupt archive");
    }

    @Test
    void aSymlinkedDirectoryAlreadyInStagingCannotCarryWritesOutside() throws Exception {
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(staging.resolve("proof"), outside);
        Map<String, String> before = TreeSnapshot.of(tmp);

        assertThatThrownBy(() -> SafeExtractor.extract(full.file(), Archives.key(), staging, name -> true))
                .isInstanceOf(ArchiveException.class)
                .hasMessageStartingWith("refusing tar entry 'proof/")
                .hasMessageContaining("outside");
        assertThat(TreeSnapshot.of(outside)).containsOnlyKeys("");
        assertThat(withoutStagedFiles(TreeSnapshot.of(tmp))).isEqualTo(withoutStagedFiles(before));
    }

    @Test
    void aSymlinkDeeperInStagingCannotHaveDirectoriesCreatedThroughIt() throws Exception {
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectories(staging.resolve("proof"));
        Files.createSymbolicLink(staging.resolve("proof/digests"), outside);
        Path archive = Archives.handMade(tmp.resolve("deep.tar.gz.enc"), tar -> file(tar, "proof/digests/new/day.json", "{}"));

        assertThatThrownBy(() -> SafeExtractor.extract(archive, Archives.key(), staging, name -> true))
                .isInstanceOf(ArchiveException.class)
                .hasMessageStartingWith("refusing tar entry 'proof/digests/new/day.json': 'proof/digests' in staging resolves to");
        assertThat(TreeSnapshot.of(outside)).containsOnlyKeys(""); // no "new" directory made out there
    }

    @Test
    void aSymlinkInStagingWhereAFileGoesIsRefusedNotWrittenThrough() throws Exception {
        Path staging = Files.createDirectories(tmp.resolve("staging/proof"));
        Path victim = Files.writeString(tmp.resolve("victim"), "untouched");
        Files.createSymbolicLink(staging.resolve("a.json"), victim);
        Path archive = Archives.handMade(tmp.resolve("a.tar.gz.enc"), tar -> file(tar, "proof/a.json", "evil"));

        assertThatThrownBy(() -> SafeExtractor.extract(archive, Archives.key(), tmp.resolve("staging"), name -> true))
                .hasMessage("refusing tar entry 'proof/a.json': staging already holds something other than a regular file there");
        assertThat(victim).hasContent("untouched");
        assertThat(Files.isSymbolicLink(staging.resolve("a.json"))).isTrue();
    }

    // --- hostile archives, built entry by entry

    @Test
    void refusesParentDirectoryNames() throws Exception {
        assertRefusedAndNothingOutside(tar -> {
            file(tar, "proof/ok.json", "{}");
            file(tar, "../evil", "x");
        }, "refusing tar entry '../evil': name contains '..'");
        assertThat(tmp.resolve("evil")).doesNotExist();
    }

    @Test
    void refusesParentDirectoryNamesInsideAPath() throws Exception {
        assertRefusedAndNothingOutside(tar -> file(tar, "proof/../../evil", "x"),
                "refusing tar entry 'proof/../../evil': name contains '..'");
    }

    @Test
    void refusesAbsoluteNames() throws Exception {
        boolean existed = Files.exists(Path.of("/etc/evil"));
        assertRefusedAndNothingOutside(tar -> {
            TarArchiveEntry e = new TarArchiveEntry("/etc/evil", true); // keep the leading '/'
            byte[] b = "x".getBytes(StandardCharsets.UTF_8);
            e.setSize(b.length);
            tar.putArchiveEntry(e);
            tar.write(b);
            tar.closeArchiveEntry();
        }, "refusing tar entry '/etc/evil': absolute name");
        if (!existed) assertThat(Path.of("/etc/evil")).doesNotExist();
    }

    @Test
    void refusesSymbolicLinks() throws Exception {
        assertRefusedAndNothingOutside(tar -> {
            TarArchiveEntry link = new TarArchiveEntry("proof/x", TarConstants.LF_SYMLINK);
            link.setLinkName("/tmp");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            file(tar, "proof/x/evil", "x");
        }, "refusing tar entry 'proof/x': symbolic link to '/tmp'");
    }

    @Test
    void refusesHardLinks() throws Exception {
        assertRefusedAndNothingOutside(tar -> {
            TarArchiveEntry link = new TarArchiveEntry("proof/passwd", TarConstants.LF_LINK);
            link.setLinkName("/etc/passwd");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }, "refusing tar entry 'proof/passwd': hard link to '/etc/passwd'");
    }

    @Test
    void refusesDevices() throws Exception {
        assertRefusedAndNothingOutside(tar -> {
            TarArchiveEntry dev = new TarArchiveEntry("proof/null", TarConstants.LF_CHR);
            dev.setDevMajor(1);
            dev.setDevMinor(3);
            tar.putArchiveEntry(dev);
            tar.closeArchiveEntry();
        }, "refusing tar entry 'proof/null': device");
        assertRefusedAndNothingOutside(tar -> {
            TarArchiveEntry dev = new TarArchiveEntry("proof/sda", TarConstants.LF_BLK);
            dev.setDevMajor(8);
            tar.putArchiveEntry(dev);
            tar.closeArchiveEntry();
        }, "refusing tar entry 'proof/sda': device");
    }

    @Test
    void refusesFifos() throws Exception {
        assertRefusedAndNothingOutside(tar -> {
            TarArchiveEntry fifo = new TarArchiveEntry("proof/pipe", TarConstants.LF_FIFO);
            tar.putArchiveEntry(fifo);
            tar.closeArchiveEntry();
        }, "refusing tar entry 'proof/pipe': FIFO");
    }

    @Test
    void refusesTheSameFileTwice() throws Exception {
        assertRefusedAndNothingOutside(tar -> {
            file(tar, "proof/a.json", "first");
            file(tar, "proof/a.json", "second");
        }, "refusing tar entry 'proof/a.json': names the same file as an earlier entry");
    }

    @Test
    void refusesNamesThatCollideAfterNormalisation() throws Exception {
        assertRefusedAndNothingOutside(tar -> {
            file(tar, "proof/a.json", "first");
            file(tar, "proof/./a.json", "second");
        }, "refusing tar entry 'proof/./a.json': name has an empty or '.' component");
        assertRefusedAndNothingOutside(tar -> {
            file(tar, "proof/a.json", "first");
            file(tar, "proof//a.json", "second");
        }, "refusing tar entry 'proof//a.json': name has an empty or '.' component");
    }

    @Test
    void refusesAFileThatAnotherEntryNeedsAsADirectory() throws Exception {
        assertRefusedAndNothingOutside(tar -> {
            file(tar, "proof/a", "file");
            file(tar, "proof/a/b.json", "under it");
        }, "refusing tar entry 'proof/a/b.json': 'proof/a' is a file earlier in the archive");
        assertRefusedAndNothingOutside(tar -> {
            file(tar, "proof/a/b.json", "under it");
            file(tar, "proof/a", "file");
        }, "refusing tar entry 'proof/a': is a file but an earlier entry makes it a directory");
    }

    @Test
    void refusesHostileEntriesEvenWhenTheScopeDoesNotWantThem() throws Exception {
        Path archive = Archives.handMade(tmp.resolve("h.tar.gz.enc"), tar -> {
            file(tar, "logs/a.log", "1");
            file(tar, "logs/a.log", "2");
        });
        assertThatThrownBy(() -> SafeExtractor.extract(archive, Archives.key(), tmp.resolve("staging"), name -> name.startsWith("proof/")))
                .hasMessage("refusing tar entry 'logs/a.log': names the same file as an earlier entry");
    }

    @Test
    void allowsNamesThatDifferOnlyInCaseOnLinux() throws Exception {
        Path archive = Archives.handMade(tmp.resolve("case.tar.gz.enc"), tar -> {
            file(tar, "proof/A.json", "upper");
            file(tar, "proof/a.json", "lower");
        });
        SafeExtractor.ExtractResult r = SafeExtractor.extract(archive, Archives.key(), tmp.resolve("staging"), n -> true);
        assertThat(staged(tmp.resolve("staging"))).containsExactly("proof/A.json", "proof/a.json");
        assertThat(r.files()).isEqualTo(2);
        assertThat(tmp.resolve("staging/proof/A.json")).hasContent("upper");
        assertThat(tmp.resolve("staging/proof/a.json")).hasContent("lower");
    }

    @Test
    void neverWritesTheInArchiveManifestAndRestoresMtimeAndModeLessSetuid() throws Exception {
        Instant mtime = Instant.parse("2025-10-23T14:00:00Z");
        Path archive = Archives.handMade(tmp.resolve("m.tar.gz.enc"), tar -> {
            TarArchiveEntry e = new TarArchiveEntry("config/run.sh");
            e.setMode(0104777); // setuid and world-writable: the permission bits come back exactly, setuid never
            e.setModTime(Date.from(mtime));
            e.setSize(2);
            tar.putArchiveEntry(e);
            tar.write("hi".getBytes(StandardCharsets.UTF_8));
            tar.closeArchiveEntry();
            file(tar, "manifest.json", "{}");
        });
        SafeExtractor.ExtractResult r = SafeExtractor.extract(archive, Archives.key(), tmp.resolve("staging"), n -> true);
        assertThat(staged(tmp.resolve("staging"))).containsExactly("config/run.sh");
        assertThat(r.files()).isEqualTo(1);
        assertThat(tmp.resolve("staging/manifest.json")).doesNotExist();
        Path run = tmp.resolve("staging/config/run.sh");
        assertThat(Files.getLastModifiedTime(run).toInstant()).isEqualTo(mtime);
        assertThat(Integer.toOctalString((Integer) Files.getAttribute(run, "unix:mode") & 07777)).isEqualTo("777");
    }

    /**
     * The per-file chown and chmod are skipped where a new file already is what the entry says (NewFiles):
     * each of these needs one of them, and each must still come back exactly as recorded.
     */
    @Test
    void ownersAndModesComeBackExactlyWhereANewFileWouldDifferAndWhereItWouldNot() throws Exception {
        boolean root = io.qontrek.factorydr.common.Processes.isRoot();
        record Want(String name, int mode, long uid, long gid) {}
        long me = io.qontrek.factorydr.common.Processes.effectiveUid();
        List<Want> wants = List.of(
                new Want("proof/plain.json", 0644, me, root ? 0 : me),   // what a new file is: nothing to change
                new Want("proof/group-writable.json", 0664, me, root ? 0 : me), // the umask (022) takes 020 away
                new Want("proof/private.json", 0600, me, root ? 0 : me),
                new Want("proof/foreign.json", 0644, 1234, 5678),          // another owner: root gives it back
                new Want("proof/foreign-group.json", 0640, me, 5678));
        Path archive = Archives.handMade(tmp.resolve("owners.tar.gz.enc"), tar -> {
            for (Want w : wants) {
                TarArchiveEntry e = new TarArchiveEntry(w.name());
                e.setMode(0100000 | w.mode());
                e.setUserId(w.uid());
                e.setGroupId(w.gid());
                e.setSize(1);
                tar.putArchiveEntry(e);
                tar.write('x');
                tar.closeArchiveEntry();
            }
        });
        SafeExtractor.extract(archive, Archives.key(), tmp.resolve("staging"), n -> true);
        for (Want w : wants) {
            Path f = tmp.resolve("staging").resolve(w.name());
            assertThat(Integer.toOctalString((Integer) Files.getAttribute(f, "unix:mode") & 07777)).as(w.name())
                    .isEqualTo(Integer.toOctalString(w.mode()));
            if (root) {
                assertThat(((Number) Files.getAttribute(f, "unix:uid")).longValue()).as(w.name()).isEqualTo(w.uid());
                assertThat(((Number) Files.getAttribute(f, "unix:gid")).longValue()).as(w.name()).isEqualTo(w.gid());
            }
        }
        assertThat(staged(tmp.resolve("staging"))).noneMatch(n -> n.contains("probe")); // the probe is gone
    }

    // --- helpers

    private void assertRefusedAndNothingOutside(Archives.TarBody body, String message) throws IOException {
        Path box = Files.createDirectories(tmp.resolve("box-" + System.nanoTime()));
        Path archive = Archives.handMade(tmp.resolve(box.getFileName() + ".tar.gz.enc"), body);
        Path staging = box.resolve("staging");
        Map<String, String> before = TreeSnapshot.of(tmp); // the box, its parent and every sibling
        assertThatThrownBy(() -> SafeExtractor.extract(archive, Archives.key(), staging, name -> true))
                .isInstanceOf(ArchiveException.class).hasMessage(message);
        Map<String, String> after = TreeSnapshot.of(tmp);
        String stagingKey = tmp.relativize(staging).toString();
        after.keySet().removeIf(k -> k.equals(stagingKey) || k.startsWith(stagingKey + "/"));
        assertThat(after).isEqualTo(before);
    }

    /** The regular files under staging, as sorted relative paths. */
    private static List<String> staged(Path staging) throws IOException {
        try (var s = Files.walk(staging)) {
            return s.filter(Files::isRegularFile).map(p -> staging.relativize(p).toString()).sorted().toList();
        }
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(b.length);
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
    }

    private static Map<String, String> filesOnly(Map<String, String> snapshot) {
        Map<String, String> out = new TreeMap<>(snapshot);
        out.values().removeIf(v -> !v.startsWith("file "));
        return out;
    }

    private static Map<String, String> withoutStagedFiles(Map<String, String> snapshot) {
        Map<String, String> out = new TreeMap<>(snapshot);
        out.keySet().removeIf(k -> k.startsWith("staging/") && !k.equals("staging/proof"));
        return out;
    }
}
