package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files come back as they were (mode, mtime, and owner and group when root restores), as recorded in
 * the tar headers that stock tar reads; and the archive directory is the owner's alone whatever the
 * umask: every file 0600, every directory 0700, after every flow that writes there.
 */
class FileModesEndToEndTest {
    private static final Instant OLD = Instant.parse("2020-01-02T03:04:05Z");
    private static final Instant OLDER = Instant.parse("2019-06-07T08:09:10Z");

    @TempDir Path tmp;

    @Test
    void aRestoreKeepsModesMtimesAndOwners_asTheTarHeadersRecordThem() throws Exception {
        boolean root = isRoot(); // the CI runs as root; elsewhere the owner checks are left out
        Path rt = tmp.resolve("runtime");
        SampleRuntime.generate(rt, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(60).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(3600)).build(), null);
        Path proof3 = rt.resolve("proof/proof-000000000003.json");
        Path proof4 = rt.resolve("proof/proof-000000000004.json");
        Path receipts = rt.resolve("data/receipts.db");
        Path ledger = rt.resolve("data/federation_ledger.db");
        Path nonces = rt.resolve("data/nonce_store.db");
        Path policy = rt.resolve("config/governance/policy.yaml");
        Path registry = rt.resolve("config/key_registry.json"); // archived redacted, restored from the archive when gone live
        mode(proof3, "600");
        mode(receipts, "640");
        mode(ledger, "640");
        Files.setLastModifiedTime(ledger, FileTime.from(OLDER));
        mode(policy, "640");
        mode(registry, "600");
        Files.setLastModifiedTime(proof3, FileTime.from(OLD));
        Files.setLastModifiedTime(receipts, FileTime.from(OLDER));
        Files.setLastModifiedTime(registry, FileTime.from(OLD));
        if (root) {
            owner(proof4, 1234, 5678);
            owner(nonces, 2345, 6789);
        }
        Map<String, String> env = Cli.env(tmp);
        env.put("TZ", "UTC");
        Cli.Result full = Cli.runUnderUmask("022", env, "backup", "full", "--root=" + rt);
        assertThat(full.exit()).as(full.toString()).isZero();
        // an incremental's new proof, 0600, comes back from the incremental
        String added = RuntimeEdits.appendProofs(rt, 1, Cli.TOWER_SECRET).get(0);
        Path addedProof = rt.resolve("proof").resolve(added);
        mode(addedProof, "600");
        Files.setLastModifiedTime(addedProof, FileTime.from(OLD));
        Cli.Result inc = Cli.runUnderUmask("022", env, "backup", "incremental", "--root=" + rt);
        assertThat(inc.exit()).as(inc.toString()).isZero();

        // the real tar, after openssl enc -d, shows what was recorded
        Path archive;
        try (Stream<Path> s = Files.list(rt.resolve("archive/full"))) {
            archive = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }
        Cli.Result listing = Cli.sh(tmp, env, "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:ARCHIVE_ENCRYPTION_KEY -in '"
                + archive + "' | tar --full-time -tvzf -");
        assertThat(listing.exit()).as(listing.toString()).isZero();
        assertThat(line(listing.out(), "proof/proof-000000000003.json")).startsWith("-rw------- 0/0 ").contains(" 2020-01-02 03:04:05 ");
        assertThat(line(listing.out(), "data/receipts.db")).startsWith("-rw-r----- 0/0 ").contains(" 2019-06-07 08:09:10 ");
        assertThat(line(listing.out(), "config/governance/policy.yaml")).startsWith("-rw-r----- 0/0 ");
        assertThat(line(listing.out(), "config/key_registry.json")).startsWith("-rw------- 0/0 ").contains(" 2020-01-02 03:04:05 ");
        if (root) {
            assertThat(line(listing.out(), "proof/proof-000000000004.json")).startsWith("-rw-r--r-- 1234/5678 ");
            assertThat(line(listing.out(), "data/nonce_store.db")).startsWith("-rw-r--r-- 2345/6789 ");
        }
        // and the signed manifest says the same
        String manifest = Files.readString(archive.resolveSibling(archive.getFileName() + ".manifest.json"));
        assertThat(manifest).contains("\"path\" : \"proof/proof-000000000003.json\"")
                .containsPattern("\"path\" : \"data/receipts.db\",\\s*\"size\" : \\d+,\\s*\"sha256\" : \"[0-9a-f]{64}\",\\s*"
                        + "\"mode\" : \"0640\",\\s*\"mtime\" : \"2019-06-07T08:09:10Z\",\\s*\"uid\" : 0,\\s*\"gid\" : 0");

        // the disaster: files gone, and what is left loosened, then restored
        Files.delete(proof3);
        Files.delete(proof4);
        Files.delete(addedProof);
        Files.delete(receipts);
        Files.delete(ledger);
        Files.delete(registry);
        mode(policy, "666");
        Cli.Result restore = Cli.runUnderUmask("022", env, "restore", "--date=latest", "--root=" + rt);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).doesNotContain("keep the restoring user as owner"); // root restores owners

        assertThat(modeOf(proof3)).isEqualTo("600");
        assertThat(Files.getLastModifiedTime(proof3).toInstant()).isEqualTo(OLD);
        assertThat(modeOf(addedProof)).isEqualTo("600");
        assertThat(Files.getLastModifiedTime(addedProof).toInstant()).isEqualTo(OLD);
        // the receipt index is rebuilt after the incremental's proofs (new content, so a new mtime), keeping its mode
        assertThat(modeOf(receipts)).isEqualTo("640");
        // the ledger: the full's copy, the incremental's delta replayed onto it, and the live file's mtime
        assertThat(modeOf(ledger)).isEqualTo("640");
        assertThat(Files.getLastModifiedTime(ledger).toInstant()).isEqualTo(OLDER);
        assertThat(modeOf(policy)).isEqualTo("640");
        assertThat(modeOf(registry)).isEqualTo("600");
        assertThat(Files.getLastModifiedTime(registry).toInstant()).isEqualTo(OLD);
        assertThat(modeOf(proof4)).isEqualTo("644");
        if (root) {
            assertThat(ownerOf(proof4)).isEqualTo("1234:5678");
            assertThat(ownerOf(nonces)).isEqualTo("2345:6789");
            assertThat(ownerOf(proof3)).isEqualTo("0:0");
        }
    }

    @Test
    void everyFileInTheArchiveDirectoryIsTheOwnersAlone_whateverTheUmask() throws Exception {
        Path rt = tmp.resolve("runtime");
        Instant end = Instant.now().minusSeconds(3600);
        SampleRuntime.generate(rt, SampleRuntime.Options.builder().proofs(60).days(3).ledgerRows(80).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(end).build(), null);
        Map<String, String> env = Cli.env(tmp);
        Path archiveDir = rt.resolve("archive");
        String umask = "000"; // the loosest: nothing is owner-only unless asked for at creation
        LocalDate today = LocalDate.ofInstant(end, ZoneOffset.UTC);

        List<String[]> flows = List.of(
                new String[] {"backup", "full"},
                new String[] {"backup", "proofs", "--date=" + today},
                new String[] {"backup", "alerts", "--date=" + today.minusDays(1)},
                new String[] {"verify", "backup"},
                new String[] {"catalog", "rebuild"},
                new String[] {"drill", "--staging=" + tmp.resolve("drill-staging")});
        for (String[] flow : flows) {
            List<String> args = new ArrayList<>(List.of(flow));
            args.add("--root=" + rt);
            Cli.Result r = Cli.runUnderUmask(umask, env, args.toArray(String[]::new));
            if (!flow[0].equals("drill")) assertThat(r.exit()).as(String.join(" ", flow) + "\n" + r).isZero(); // the drill's gates may fail
            assertOwnerOnly(archiveDir, String.join(" ", flow));
        }
        RuntimeEdits.appendProofs(rt, 2, Cli.TOWER_SECRET);
        Cli.Result inc = Cli.runUnderUmask(umask, env, "backup", "incremental", "--root=" + rt);
        assertThat(inc.exit()).as(inc.toString()).isZero();
        assertOwnerOnly(archiveDir, "backup incremental");
        Path incremental;
        try (Stream<Path> s = Files.list(archiveDir.resolve("incremental"))) {
            incremental = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }
        Cli.Result verify = Cli.runUnderUmask(umask, env, "verify", "archive", incremental.toString(), "--root=" + rt);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertOwnerOnly(archiveDir, "verify archive");

        // what the flows wrote is there to be judged: archives of every kind, their sidecars, the catalog,
        // the locks, the drill's proof
        try (Stream<Path> s = Files.walk(archiveDir)) {
            List<String> names = s.map(p -> archiveDir.relativize(p).toString()).toList();
            assertThat(names).anyMatch(n -> n.matches("full/.*\\.tar\\.gz\\.enc\\.manifest\\.json"))
                    .anyMatch(n -> n.matches("proof/.*\\.tar\\.gz\\.enc\\.sha256"))
                    .anyMatch(n -> n.matches("alerts/.*\\.tar\\.gz\\.enc"))
                    .anyMatch(n -> n.matches("incremental/.*\\.tar\\.gz\\.enc"))
                    .anyMatch(n -> n.matches("recovery-proofs/drill-.*\\.json"))
                    .anyMatch(n -> n.startsWith(".locks/"))
                    .contains("catalog.db");
        }
        // the drill's staging, and the runtime it restores into, are owner-only too
        assertThat(modeOf(tmp.resolve("drill-staging"))).isEqualTo("700");
        try (Stream<Path> s = Files.list(tmp.resolve("drill-staging"))) {
            for (Path p : s.filter(Files::isDirectory).toList()) assertThat(modeOf(p)).as(p.toString()).isEqualTo("700");
        }
    }

    /** Every file under dir 0600 and every directory 0700, dir included. */
    private static void assertOwnerOnly(Path dir, String after) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                assertThat(modeOf(p)).as("after " + after + ": " + dir.relativize(p)).isEqualTo(directory ? "700" : "600");
            }
        }
    }

    private static String line(String listing, String path) {
        return listing.lines().filter(l -> l.endsWith(" " + path)).findFirst().orElseThrow(() -> new AssertionError(path + " not in\n" + listing))
                .replaceAll(" +", " ");
    }

    private static void mode(Path p, String octal) throws Exception {
        Files.setAttribute(p, "unix:mode", Integer.parseInt(octal, 8));
    }

    private static String modeOf(Path p) throws Exception {
        return Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
    }

    private static void owner(Path p, int uid, int gid) throws Exception {
        Files.setAttribute(p, "unix:uid", uid);
        Files.setAttribute(p, "unix:gid", gid);
    }

    private static String ownerOf(Path p) throws Exception {
        return Files.getAttribute(p, "unix:uid") + ":" + Files.getAttribute(p, "unix:gid");
    }

    private static boolean isRoot() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .map(l -> l.substring(4).trim().split("\\s+")[1]).findFirst().orElse("").equals("0");
    }
}
