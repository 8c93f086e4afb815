package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.offsite.S3TestServer;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * `retention` through the CLI, locally and on a real S3 API (S3Proxy): five weeks of backups built on
 * given days (FACTORY_NOW), judged 120 days later. A dry run changes nothing (the archive directory
 * hashes the same); S3 down stops the run before anything is removed, in one line; the real run
 * removes the expired archives with their sidecars locally and on S3 (also one whose local copy was
 * already gone), keeps the newest full and what builds on it, the young daily archives and alert
 * logs, and never touches archive/recovery-proofs/; afterwards `list`, the archive directory and the
 * bucket agree, and a second run has nothing to do.
 */
class RetentionEndToEndTest {
    static final String PREFIX = "retention-site/";

    @Test
    void expiredArchivesGoLocallyAndOnS3AndEverythingElseStays(@TempDir Path tmp) throws Exception {
        LocalDate day0 = LocalDate.now(ZoneOffset.UTC).minusDays(40);
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(120).days(42).ledgerRows(40).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Path archiveDir = root.resolve("archive");
        try (S3TestServer s3 = S3TestServer.start(tmp.resolve("s3")); S3Client client = s3.client()) {
            Map<String, String> env = new HashMap<>(Cli.env(tmp));
            env.putAll(s3.env());
            env.put("FACTORY_S3_PREFIX", PREFIX);

            // weekly fulls, incrementals between, daily proof archives, alert archives; written through the
            // CLI's entry point in this JVM (a child JVM each would take minutes), then copied offsite by the CLI
            for (int day : List.of(0, 7, 14, 21, 28, 35)) {
                backup(env, root, day0, day, "03:00", "full");
                if (List.of(0, 14, 28, 35).contains(day)) {
                    if (day == 35) backup(env, root, day0, 36, "02:00", "proofs", "--date=" + day0.plusDays(35));
                    RuntimeEdits.appendProofs(root, 2, Cli.TOWER_SECRET);
                    backup(env, root, day0, day + 1, "03:00", "incremental");
                }
            }
            for (int day : List.of(2, 29, 30)) backup(env, root, day0, day, "02:00", "proofs", "--date=" + day0.plusDays(day - 1));
            backup(env, root, day0, 10, "04:00", "alerts", "--date=" + day0.plusDays(9));
            LocalDate asOf = day0.plusDays(120);
            Path alertLog = root.resolve("logs/alerts/alerts-" + asOf.minusDays(6) + ".log");
            Files.writeString(alertLog, "2026-01-01T00:00:00Z WARN disk 91%\n");
            backup(env, root, day0, 115, "04:00", "alerts", "--date=" + asOf.minusDays(6));

            Cli.Result catchUp = Cli.run(env, "offsite", "catch-up", "--root=" + root);
            assertThat(catchUp.exit()).as(catchUp.toString()).isZero();

            Path recovery = Files.createDirectories(archiveDir.resolve("recovery-proofs")).resolve("drill-2025-01-01.json");
            Files.writeString(recovery, "{\"schema\":\"factory.drill.v1\"}\n");
            Catalog catalog = new Catalog(archiveDir.resolve("catalog.db"));
            List<CatalogEntry> before = catalog.archives();
            assertThat(before).hasSize(6 + 4 + 4 + 2);
            assertThat(bucket(client)).isEqualTo(keys(before));

            // the dry run prints the plan and changes nothing, not even the catalog
            String hashBefore = hash(archiveDir);
            Cli.Result dry = Cli.run(env, "retention", "--dry-run", "--as-of=" + asOf, "--root=" + root);
            assertThat(dry.exit()).as(dry.toString()).isZero();
            assertThat(hash(archiveDir)).as("archive directory after a dry run").isEqualTo(hashBefore);
            assertThat(bucket(client)).isEqualTo(keys(before));
            String full0 = "full-" + stamp(day0, 0);
            assertThat(dry.out()).contains("retention dry run as of " + asOf)
                    .contains("remove full/" + stamp(day0, 0) + ".tar.gz.enc  " + full0 + ": 120 days old, beyond 30; no incremental")
                    .contains("keep   full/" + stamp(day0, 35) + ".tar.gz.enc  full-" + stamp(day0, 35) + ": newest full backup, never removed (85 days old)")
                    .contains("dry run as of " + asOf + ": 11 archives to remove").contains("nothing changed");

            // an archive whose local copy is already gone is still removed from S3
            CatalogEntry full7 = before.stream().filter(e -> e.backupId().equals("full-" + stamp(day0, 7))).findFirst().orElseThrow();
            for (String suffix : List.of("", ".sha256", ".manifest.json", ".manifest.json.sig")) Files.delete(archiveDir.resolve(full7.name() + suffix));

            // S3 down: the run stops at its first archive, in one line, before anything of it is removed
            s3.stop();
            Map<String, String> noRetries = new HashMap<>(env);
            noRetries.put("FACTORY_S3_RETRIES", "0");
            Cli.Result down = Cli.run(noRetries, "retention", "--as-of=" + asOf, "--root=" + root);
            s3.start();
            assertThat(down.exit()).as(down.toString()).isEqualTo(1);
            assertThat(down.err().lines()).as(down.toString()).hasSize(1);
            assertThat(down.err()).contains("retention stopped at full/" + stamp(day0, 0) + ".tar.gz.enc")
                    .contains("bucket " + S3TestServer.BUCKET + " at endpoint " + s3.endpoint()).contains("run 'factory-dr retention' again")
                    .doesNotContain(S3TestServer.SECRET_KEY);
            assertThat(catalog.archives()).hasSize(before.size());
            assertThat(archiveDir.resolve("full/" + stamp(day0, 0) + ".tar.gz.enc")).exists();
            assertThat(catalog.runs("retention")).extracting(Catalog.RunRow::outcome).containsExactly("failed");

            Cli.Result run = Cli.runAsOperator(env, "retention", "--as-of=" + asOf, "--root=" + root);
            assertThat(run.exit()).as(run.toString()).isZero();
            System.out.println("[measured] " + run.out().lines().reduce((a, b) -> b).orElse(""));

            Set<String> kept = catalog.archives().stream().map(CatalogEntry::backupId).collect(Collectors.toCollection(TreeSet::new));
            assertThat(kept).containsExactlyInAnyOrder(
                    "full-" + stamp(day0, 35), "incremental-" + stamp(day0, 36), // the newest full and what builds on it
                    "proof-daily-" + day0.plusDays(29), "proof-daily-" + day0.plusDays(35), // 90 and 84 days old
                    "alerts-" + asOf.minusDays(6)); // 5 days old
            List<CatalogEntry> after = catalog.archives();
            assertThat(bucket(client)).as("the bucket holds what the catalog lists").isEqualTo(keys(after));
            assertThat(all(client)).as("and the public key, as published and under its fingerprint").contains(PREFIX + "signing-key.pub.pem")
                    .anyMatch(k -> k.matches(java.util.regex.Pattern.quote(PREFIX) + "signing-key-[0-9a-f]{16}\\.pub\\.pem"));
            assertThat(localArchives(archiveDir)).as("the archive directory holds what the catalog lists").isEqualTo(keys(after).stream()
                    .map(k -> k.substring(PREFIX.length())).collect(Collectors.toCollection(TreeSet::new)));
            JsonNode list = new ObjectMapper().readTree(Cli.run(env, "list", "--json", "--root=" + root).out());
            Set<String> listed = new TreeSet<>();
            list.forEach(n -> listed.add(n.get("backup_id").asText()));
            assertThat(listed).isEqualTo(kept);
            assertThat(Files.readString(recovery)).as("recovery proofs are never touched").contains("factory.drill.v1");
            assertThat(run.out()).contains("remove full/" + stamp(day0, 7) + ".tar.gz.enc")
                    .contains("remove proof/" + day0.plusDays(28) + ".tar.gz.enc  proof-daily-" + day0.plusDays(28) + ": 91 days old, beyond 90")
                    .contains("remove incremental/" + stamp(day0, 29) + ".tar.gz.enc  incremental-" + stamp(day0, 29) + ": goes with its full full-" + stamp(day0, 28))
                    .contains("11 archives removed (").contains("S3 objects in bucket " + S3TestServer.BUCKET);
            assertThat(catalog.runs("retention")).extracting(Catalog.RunRow::outcome).containsExactly("failed", "ok");

            Cli.Result again = Cli.run(env, "retention", "--as-of=" + asOf, "--root=" + root);
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.out()).contains("0 archives removed");
            assertThat(catalog.runs("retention")).extracting(Catalog.RunRow::outcome).containsExactly("failed", "ok", "nothing-to-do");
        }
    }

    private static void backup(Map<String, String> env, Path root, LocalDate day0, int day, String time, String... what) throws Exception {
        Map<String, String> at = new HashMap<>(env);
        at.put("FACTORY_NOW", day0.plusDays(day) + "T" + time + ":00Z");
        at.put("FACTORY_S3_ENABLED", "false");
        List<String> args = new ArrayList<>(List.of("backup"));
        args.addAll(List.of(what));
        args.add("--root=" + root);
        assertThat(FactoryDr.run(args.toArray(String[]::new), at)).as(String.join(" ", args) + " on day " + day).isZero();
    }

    private static String stamp(LocalDate day0, int day) {
        return day0.plusDays(day).toString().replace("-", "") + "T030000Z";
    }

    private static Set<String> keys(List<CatalogEntry> entries) {
        Set<String> out = new TreeSet<>();
        for (CatalogEntry e : entries) for (String s : List.of("", ".sha256", ".manifest.json", ".manifest.json.sig")) out.add(PREFIX + e.name() + s);
        return out;
    }

    /** The archives' objects in the bucket (the public keys beside them aside). */
    private static Set<String> bucket(S3Client client) {
        Set<String> out = all(client);
        out.removeIf(k -> k.startsWith(PREFIX + "signing-key"));
        return out;
    }

    private static Set<String> all(S3Client client) {
        return client.listObjectsV2Paginator(b -> b.bucket(S3TestServer.BUCKET).prefix(PREFIX)).contents().stream()
                .map(S3Object::key).filter(k -> !k.endsWith("/")) // S3Proxy's filesystem store also lists directories
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> localArchives(Path archiveDir) throws Exception {
        Set<String> out = new TreeSet<>();
        for (String sub : List.of("full", "incremental", "proof", "alerts")) {
            Path d = archiveDir.resolve(sub);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                s.forEach(p -> out.add(sub + "/" + p.getFileName()));
            }
        }
        return out;
    }

    /** Every file under dir with its SHA-256: any write, delete or new file changes it. */
    private static String hash(Path dir) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            // .locks/ holds the flows' lock files, not archives
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !dir.relativize(p).startsWith(".locks")).toList()) {
                files.put(dir.relativize(p).toString(), Hashes.sha256Hex(p));
            }
        }
        return files.toString();
    }
}
