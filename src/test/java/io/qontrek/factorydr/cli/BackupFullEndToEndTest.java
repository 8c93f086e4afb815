package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * `factory-dr backup full` on a generated runtime, checked with the stock tools only: openssl
 * decrypts it, tar extracts it, sha256sum checks the sidecar, sqlite3 checks the databases, and
 * the manifest's HMAC is recomputed by python3 and openssl, independently of our code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupFullEndToEndTest {
    Path tmp;
    Path root;
    Path extracted;
    Path archive;
    SampleRuntime.Summary sample;
    Cli.Result backup;
    Map<String, String> env;

    @BeforeAll
    void backUpAGeneratedRuntime(@TempDir Path classTmp) throws Exception {
        tmp = classTmp;
        root = tmp.resolve("runtime");
        sample = SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(300).days(4).ledgerRows(2000)
                .logMb(2).towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        env = Cli.env(tmp);
        // one secret through its _FILE variant, with the trailing newline an editor leaves
        Path keyFile = Files.writeString(tmp.resolve("archive.key"), Cli.ARCHIVE_KEY + "\n");
        env.remove("ARCHIVE_ENCRYPTION_KEY");
        env.put("ARCHIVE_ENCRYPTION_KEY_FILE", keyFile.toString());

        backup = Cli.runAsOperator(env, "backup", "full", "--root=" + root);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            archive = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }
        extracted = Files.createDirectories(tmp.resolve("extracted"));
        Cli.Result x = Cli.sh(extracted, Map.of("K", Cli.ARCHIVE_KEY),
                "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '" + archive + "' | tar -xzf -");
        assertThat(x.exit()).as(x.toString()).isZero();
    }

    @Test
    void archiveIsNamedAndListedAsTheContractSays() throws Exception {
        assertThat(archive.getFileName().toString()).matches("\\d{8}T\\d{6}Z\\.tar\\.gz\\.enc");
        Cli.Result list = Cli.sh(tmp, Map.of("K", Cli.ARCHIVE_KEY),
                "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '" + archive + "' | tar -tzf -");
        List<String> names = list.out().lines().toList();
        assertThat(names.get(names.size() - 1)).isEqualTo("manifest.json");
        assertThat(names).allSatisfy(n -> assertThat(n).doesNotStartWith("/").doesNotContain(".."));
        assertThat(names).contains("data/federation_ledger.db", "data/nonce_store.db", "data/receipts.db",
                "config/key_registry.json");
        Cli.Result listed = Cli.run(env, "list", "--json", "--root=" + root);
        assertThat(listed.exit()).isZero();
        JsonNode catalog = new ObjectMapper().readTree(listed.out());
        assertThat(catalog).hasSize(1);
        assertThat(catalog.get(0).get("name").asText()).isEqualTo("full/" + archive.getFileName());
    }

    @Test
    void sidecarChecksWithSha256sum() throws Exception {
        Cli.Result r = Cli.sh(archive.getParent(), Map.of(), "sha256sum -c '" + archive.getFileName() + ".sha256'");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains(": OK");
    }

    @Test
    void manifestSignatureRecomputesIndependently() throws Exception {
        Path manifest = Path.of(archive + ".manifest.json");
        // RFC 8785 for our content (ASCII strings, integers): sorted keys, no whitespace; HMAC by openssl.
        String script = "python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m.pop(\"signature\");"
                + " sys.stdout.write(json.dumps(m, sort_keys=True, separators=(\",\",\":\"), ensure_ascii=False))' '"
                + manifest + "' | openssl dgst -sha256 -hmac \"$S\" -r | cut -d' ' -f1";
        Cli.Result r = Cli.sh(tmp, Map.of("S", Cli.SIGNING_SECRET), script);
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode m = new ObjectMapper().readTree(manifest.toFile());
        assertThat(r.out().trim()).isEqualTo(m.get("signature").asText());
        assertThat(m.get("type").asText()).isEqualTo("full");
        assertThat(m.at("/archive/sha256").asText()).isEqualTo(Cli.sh(tmp, Map.of(), "sha256sum '" + archive + "' | cut -d' ' -f1").out().trim());
        assertThat(m.at("/proof_head/seq").asLong()).isEqualTo(sample.proofHead().seq());
        assertThat(m.at("/proof_head/merkle_root").asText()).isEqualTo(sample.proofHead().merkleRoot());
        assertThat(m.at("/ledger_head/seq").asLong()).isEqualTo(sample.ledgerHead().seq());
        assertThat(m.at("/ledger_head/entry_hash").asText()).isEqualTo(sample.ledgerHead().entryHash());
        // the in-tar manifest is the same manifest without archive and signature
        JsonNode inner = new ObjectMapper().readTree(extracted.resolve("manifest.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) m).remove(List.of("archive", "signature"));
        assertThat(inner).isEqualTo(m);
    }

    @Test
    void manifestHasAnEd25519SignatureThatOpensslChecksWithThePublishedKeyAlone() throws Exception {
        Path manifest = Path.of(archive + ".manifest.json");
        Path pub = root.resolve("archive/signing-key.pub.pem");
        assertThat(Files.size(Path.of(manifest + ".sig"))).isEqualTo(64);
        Cli.Result ok = RecoveryProofCheck.thirdPartyVerify(tmp, root.resolve("archive"), manifest);
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("Signature Verified Successfully");
        // the published key is the configured key's, as `keys show` prints it
        Cli.Result show = Cli.run(env, "keys", "show");
        assertThat(show.exit()).as(show.toString()).isZero();
        assertThat(show.out()).isEqualTo(Files.readString(pub));

        // a copy whose manifest has one byte of layout changed (an indent's space made a tab): its HMAC over the
        // canonical JSON still holds, the Ed25519 signature over the exact bytes fails, for openssl and for us
        Path copy = Files.createDirectories(tmp.resolve("respaced/full")).resolve(archive.getFileName());
        for (String suffix : List.of("", ".sha256", ".manifest.json", ".manifest.json.sig")) {
            Files.copy(Path.of(archive + suffix), Path.of(copy + suffix));
        }
        Path copiedManifest = Path.of(copy + ".manifest.json");
        Files.writeString(copiedManifest, Files.readString(manifest).replaceFirst("\n  \"", "\n \t\""));
        assertThat(Files.mismatch(manifest, copiedManifest)).isNotEqualTo(-1L);
        assertThat(Files.size(copiedManifest)).isEqualTo(Files.size(manifest));
        assertThat(RecoveryProofCheck.thirdPartyVerify(tmp, root.resolve("archive"), copiedManifest).exit()).isNotZero();
        Cli.Result bad = Cli.run(env, "verify", "archive", copy.toString(), "--root=" + root);
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.err().strip().lines()).hasSize(1);
        assertThat(bad.err()).contains(copy.getFileName() + ".manifest.json.sig: the Ed25519 signature does not verify against " + pub);
    }

    @Test
    void everyProofIsByteEqual() throws Exception {
        List<Path> live;
        try (Stream<Path> s = Files.walk(root.resolve("proof"))) {
            live = s.filter(Files::isRegularFile).toList();
        }
        assertThat(live).hasSizeGreaterThan(300);
        for (Path p : live) {
            Path copy = extracted.resolve("proof").resolve(root.resolve("proof").relativize(p).toString());
            assertThat(copy).as(copy.toString()).exists();
            assertThat(Files.mismatch(p, copy)).as(copy.toString()).isEqualTo(-1L);
        }
    }

    @Test
    void databasesPassSqliteIntegrityCheck() throws Exception {
        for (String db : List.of("federation_ledger.db", "nonce_store.db", "receipts.db")) {
            Cli.Result r = Cli.sh(extracted, Map.of(), "sqlite3 data/" + db + " 'PRAGMA integrity_check'");
            assertThat(r.out().trim()).as(db + ": " + r).isEqualTo("ok");
        }
        Cli.Result rows = Cli.sh(extracted, Map.of(), "sqlite3 data/federation_ledger.db 'SELECT count(*) FROM ledger'");
        assertThat(Long.parseLong(rows.out().trim())).isEqualTo(sample.ledgerRows());
    }

    @Test
    void noSecretValueAnywhere() throws Exception {
        List<String> secrets = new ArrayList<>(sample.secretValues());
        secrets.addAll(List.of(Cli.ARCHIVE_KEY, Cli.SIGNING_SECRET, Cli.TOWER_SECRET));
        StringBuilder everything = new StringBuilder(backup.out()).append(backup.err());
        everything.append(Cli.read(tmp.resolve("factory-dr.log")));
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Stream.concat(Files.walk(extracted), Files.walk(root.resolve("archive")))) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            if (f.toString().endsWith(".enc")) continue; // ciphertext; its plaintext is `extracted`
            everything.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
        String log = Cli.read(tmp.resolve("factory-dr.log"));
        assertThat(log).contains("backup-full: wrote full/").doesNotContain("Salted__");
        for (String s : secrets) {
            assertThat(everything.indexOf(s)).as("secret planted as %s", s.length() > 4 ? s.substring(0, 4) + "…" : "?").isEqualTo(-1);
        }
        for (String skipped : sample.secretFiles()) {
            assertThat(extracted.resolve(skipped)).doesNotExist();
            assertThat(backup.out()).contains("skipped (holds a secret): " + skipped);
        }
    }

    @Test
    void keyRegistryMetadataIsIntact() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode live = json.readTree(root.resolve("config/key_registry.json").toFile());
        JsonNode kept = json.readTree(extracted.resolve("config/key_registry.json").toFile());
        assertThat(kept.get("keys")).hasSameSizeAs(live.get("keys"));
        for (int i = 0; i < live.get("keys").size(); i++) {
            for (String field : List.of("key_id", "purpose", "algorithm", "created_at", "status", "fingerprint")) {
                assertThat(kept.get("keys").get(i).get(field)).isEqualTo(live.get("keys").get(i).get(field));
            }
        }
    }

    @Test
    void onlyLogsOfTheLast48HoursAreArchived() throws Exception {
        Instant cutoff = Instant.now().minus(Duration.ofHours(48));
        int recent = 0;
        int old = 0;
        try (Stream<Path> s = Files.walk(root.resolve("logs"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path copy = extracted.resolve("logs").resolve(root.resolve("logs").relativize(p).toString());
                FileTime mtime = Files.getLastModifiedTime(p);
                if (mtime.toInstant().isBefore(cutoff.minus(Duration.ofMinutes(5)))) {
                    old++;
                    assertThat(copy).as("older than 48 h").doesNotExist();
                } else if (mtime.toInstant().isAfter(cutoff.plus(Duration.ofMinutes(5)))) {
                    recent++;
                    assertThat(copy).as("within 48 h").exists();
                }
            }
        }
        assertThat(old).isPositive();
        assertThat(recent).isPositive();
    }

    @Test
    void verifyArchiveAcceptsItAndTheFlowLeftNoTemporaryFiles() throws Exception {
        Cli.Result r = Cli.run(env, "verify", "archive", archive.toString(), "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("archive verified").contains("Ed25519 signature verified: " + archive.getFileName() + ".manifest.json.sig");
        try (Stream<Path> s = Files.walk(root.resolve("archive"))) {
            assertThat(s.filter(Files::isRegularFile).map(p -> root.resolve("archive").relativize(p).toString())
                    .filter(n -> !n.startsWith("catalog.db") && !n.startsWith(".locks/")))   // catalog, flow locks
                    .containsExactlyInAnyOrder("full/" + archive.getFileName(), "full/" + archive.getFileName() + ".sha256",
                            "full/" + archive.getFileName() + ".manifest.json", "full/" + archive.getFileName() + ".manifest.json.sig",
                            "signing-key.pub.pem");
        }
    }
}
