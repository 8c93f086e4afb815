package io.qontrek.factorydr.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generates small runtimes and checks them against the contract with code of its own: Jackson trees
 * instead of ProofFile, the JCA instead of the hash helpers, SQL and the sqlite3 program.
 */
class SampleRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant END = Instant.parse("2025-10-26T03:00:00Z");
    private static final String TOWER_SECRET = "tower-secret-for-tests";

    @TempDir
    Path tmp;

    @Test
    void generatesARuntimeThatFollowsTheContract() throws Exception {
        SampleRuntime.Options options = SampleRuntime.Options.builder()
                .proofs(60).days(3).ledgerRows(400).logMb(1).leavesPerProof(8)
                .towerSecret(TOWER_SECRET).end(END).seed(7).build();
        List<long[]> reports = new ArrayList<>();
        Path root = tmp.resolve("runtime");

        SampleRuntime.Summary summary = SampleRuntime.generate(root, options, (f, b) -> reports.add(new long[] {f, b}));

        List<JsonNode> proofs = checkProofChain(root, options);
        checkDigests(root, proofs);
        checkReceipts(root, proofs);
        Map<String, String[]> ledger = checkLedger(root, options, summary);
        checkNonceStore(root, ledger);
        for (String db : List.of("federation_ledger.db", "nonce_store.db", "receipts.db")) {
            assertThat(integrityCheck(root.resolve("data").resolve(db))).as(db).isEqualTo("ok");
        }
        checkConfigAndSecrets(root, summary);
        checkLogs(root, options, 1, summary);

        JsonNode head = proofs.get(proofs.size() - 1);
        assertThat(summary.proofHead()).isEqualTo(new ProofHead(59, head.get("merkle_root").asText()));
        assertThat(summary.proofFiles()).isEqualTo(60);
        assertThat(summary.firstDay()).isEqualTo(day(proofs.get(0).get("created_at").asText()));
        assertThat(summary.lastDay()).isEqualTo(LocalDate.of(2025, 10, 26));
        long[] walked = walk(root);
        assertThat(new long[] {summary.files(), summary.bytes()}).as("files and bytes").containsExactly(walked);
        assertThat(reports).isNotEmpty();
        assertThat(reports.get(reports.size() - 1)).containsExactly(walked);
        for (int i = 1; i < reports.size(); i++) {
            assertThat(reports.get(i)[0]).isGreaterThanOrEqualTo(reports.get(i - 1)[0]);
            assertThat(reports.get(i)[1]).isGreaterThanOrEqualTo(reports.get(i - 1)[1]);
        }
        assertThat(summary.toString()).doesNotContain(summary.secretValues());
        assertThat(options.toString()).doesNotContain(TOWER_SECRET);
    }

    @Test
    void daysWithoutProofsGetDigestsWithNullSeqs() throws Exception {
        SampleRuntime.Options options = SampleRuntime.Options.builder()
                .proofs(3).days(7).ledgerRows(5).logMb(0).leavesPerProof(3)
                .towerSecret(TOWER_SECRET).end(END).seed(11).build();
        Path root = tmp.resolve("sparse");

        SampleRuntime.Summary summary = SampleRuntime.generate(root, options, null);

        List<JsonNode> proofs = checkProofChain(root, options);
        List<JsonNode> digests = checkDigests(root, proofs);
        // 3 proofs over 7 days ending 2025-10-26T03:00Z land on the 21st, 23rd and 26th.
        assertThat(digests).extracting(d -> d.get("date").asText())
                .containsExactly("2025-10-21", "2025-10-22", "2025-10-23", "2025-10-24", "2025-10-25", "2025-10-26");
        assertThat(digests).filteredOn(d -> d.get("first_seq").isNull()).hasSize(3)
                .allSatisfy(d -> assertThat(d.get("last_seq").isNull()).isTrue());
        String emptyDay = Files.readString(root.resolve("proof/digests/2025-10-22.json"));
        assertThat(emptyDay).contains("\"first_seq\": null", "\"last_seq\": null");
        checkLogs(root, options, 0, summary);
    }

    @Test
    void aRuntimeWithoutLedgerRowsHasAZeroHead() throws Exception {
        SampleRuntime.Options options = SampleRuntime.Options.builder()
                .proofs(1).days(1).ledgerRows(0).logMb(0).leavesPerProof(0).towerSecret(TOWER_SECRET).end(END).build();

        SampleRuntime.Summary summary = SampleRuntime.generate(tmp.resolve("tiny"), options, null);

        assertThat(summary.ledgerHead()).isEqualTo(new LedgerHead(0, Reference.zero()));
        assertThat(summary.proofHead().merkleRoot())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(integrityCheck(tmp.resolve("tiny/data/federation_ledger.db"))).isEqualTo("ok");
    }

    @Test
    void aRelativeRootWorksLikeAnAbsoluteOne() throws Exception {
        SampleRuntime.Options options = SampleRuntime.Options.builder()
                .proofs(3).days(1).ledgerRows(5).logMb(0).towerSecret(TOWER_SECRET).end(END).build();
        Path relative = Path.of("").toAbsolutePath().relativize(tmp.resolve("relative"));
        assertThat(relative.isAbsolute()).isFalse();

        SampleRuntime.Summary summary = SampleRuntime.generate(relative, options, null);

        assertThat(summary.proofHead().seq()).isEqualTo(2);
        assertThat(tmp.resolve("relative/config/key_registry.json")).isRegularFile();
    }

    @Test
    void sameOptionsGiveTheSameBytes() throws Exception {
        SampleRuntime.Options options = SampleRuntime.Options.builder()
                .proofs(20).ledgerRows(50).logMb(0).end(END).seed(99).build();

        SampleRuntime.generate(tmp.resolve("a"), options, null);
        SampleRuntime.generate(tmp.resolve("b"), options, null);

        Map<String, String> a = fileHashes(tmp.resolve("a"));
        assertThat(a).hasSizeGreaterThan(40).isEqualTo(fileHashes(tmp.resolve("b")));
        assertThat(options.towerSecret()).startsWith("sample-tower-");
    }

    @Test
    void refusesToWriteIntoANonEmptyDirectoryAndBadOptions() throws Exception {
        Files.writeString(tmp.resolve("keep.txt"), "operator data");

        assertThatThrownBy(() -> SampleRuntime.generate(tmp, SampleRuntime.Options.defaults(), null))
                .isInstanceOf(IOException.class).hasMessageContaining("not empty");
        assertThat(Files.readString(tmp.resolve("keep.txt"))).isEqualTo("operator data");
        assertThatThrownBy(() -> SampleRuntime.Options.builder().proofs(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("proofs must be >= 1, was 0");
    }

    // ---- independent checks of the contract ----

    private static List<JsonNode> checkProofChain(Path root, SampleRuntime.Options o) throws Exception {
        Path proofDir = root.resolve("proof");
        List<Path> files;
        try (Stream<Path> s = Files.list(proofDir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).hasSize(o.proofs());
        List<JsonNode> proofs = new ArrayList<>();
        String prevRoot = Reference.zero();
        Instant prevCreated = Instant.MIN;
        for (int seq = 0; seq < files.size(); seq++) {
            Path file = files.get(seq);
            assertThat(file.getFileName().toString()).isEqualTo(String.format("proof-%012d.json", seq));
            JsonNode p = JSON.readTree(file.toFile());
            List<String> names = new ArrayList<>();
            p.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactly("schema", "seq", "proof_id", "created_at", "leaves", "merkle_root",
                    "prev_root", "tower_receipt");
            assertThat(p.get("schema").asText()).isEqualTo("factory.proof.v1");
            assertThat(p.get("seq").asLong()).isEqualTo(seq);
            assertThat(p.get("proof_id").asText()).isEqualTo(String.format("p-%012d", seq));
            assertThat(p.get("prev_root").asText()).as("prev_root of %d", seq).isEqualTo(prevRoot);
            List<String> leaves = new ArrayList<>();
            p.get("leaves").forEach(l -> leaves.add(l.asText()));
            assertThat(leaves).hasSize(o.leavesPerProof()).allMatch(l -> l.matches("[0-9a-f]{64}"));
            assertThat(p.get("merkle_root").asText()).as("root of %d", seq).isEqualTo(Reference.mthHex(leaves));
            Instant created = Instant.parse(p.get("created_at").asText());
            assertThat(p.get("created_at").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
            assertThat(created).isAfterOrEqualTo(prevCreated).isBetween(o.end().minus(Duration.ofDays(o.days())), o.end());
            JsonNode receipt = p.get("tower_receipt");
            assertThat(receipt.get("issued_at").asText()).isEqualTo(created.plusSeconds(1).toString());
            assertThat(receipt.get("signature").asText()).isEqualTo(Reference.hmac(TOWER_SECRET,
                    p.get("proof_id").asText() + "|" + p.get("merkle_root").asText() + "|" + receipt.get("issued_at").asText()));
            assertThat(ProofFile.read(file).toJson()).isEqualTo(Files.readAllBytes(file));
            proofs.add(p);
            prevRoot = p.get("merkle_root").asText();
            prevCreated = created;
        }
        assertThat(prevCreated).isEqualTo(o.end());
        return proofs;
    }

    private static List<JsonNode> checkDigests(Path root, List<JsonNode> proofs) throws Exception {
        TreeMap<LocalDate, List<JsonNode>> byDay = new TreeMap<>();
        for (JsonNode p : proofs) {
            byDay.computeIfAbsent(day(p.get("created_at").asText()), d -> new ArrayList<>()).add(p);
        }
        List<JsonNode> digests = new ArrayList<>();
        String prev = Reference.zero();
        Set<String> expectedFiles = new HashSet<>();
        for (LocalDate d = byDay.firstKey(); !d.isAfter(byDay.lastKey()); d = d.plusDays(1)) {
            Path file = root.resolve("proof/digests/" + d + ".json");
            expectedFiles.add(file.getFileName().toString());
            JsonNode digest = JSON.readTree(file.toFile());
            List<JsonNode> day = byDay.getOrDefault(d, List.of());
            StringBuilder text = new StringBuilder(prev).append('|').append(d);
            day.forEach(p -> text.append('|').append(p.get("merkle_root").asText()));
            assertThat(digest.get("schema").asText()).isEqualTo("factory.digest.v1");
            assertThat(digest.get("date").asText()).isEqualTo(d.toString());
            assertThat(digest.get("prev_digest").asText()).as("prev_digest of %s", d).isEqualTo(prev);
            assertThat(digest.get("digest").asText()).as("digest of %s", d).isEqualTo(Reference.sha256(text.toString()));
            if (day.isEmpty()) {
                assertThat(digest.get("first_seq").isNull()).isTrue();
                assertThat(digest.get("last_seq").isNull()).isTrue();
            } else {
                assertThat(digest.get("first_seq").asLong()).isEqualTo(day.get(0).get("seq").asLong());
                assertThat(digest.get("last_seq").asLong()).isEqualTo(day.get(day.size() - 1).get("seq").asLong());
            }
            prev = digest.get("digest").asText();
            digests.add(digest);
        }
        try (Stream<Path> s = Files.list(root.resolve("proof/digests"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(expectedFiles);
        }
        return digests;
    }

    private static void checkReceipts(Path root, List<JsonNode> proofs) throws SQLException {
        try (Connection db = open(root.resolve("data/receipts.db"));
             Statement st = db.createStatement();
             ResultSet rows = st.executeQuery("SELECT proof_id, seq, merkle_root, signature, issued_at, file FROM receipts ORDER BY seq")) {
            for (JsonNode p : proofs) {
                assertThat(rows.next()).as("receipt row for seq %s", p.get("seq")).isTrue();
                assertThat(rows.getString("proof_id")).isEqualTo(p.get("proof_id").asText());
                assertThat(rows.getLong("seq")).isEqualTo(p.get("seq").asLong());
                assertThat(rows.getString("merkle_root")).isEqualTo(p.get("merkle_root").asText());
                assertThat(rows.getString("signature")).isEqualTo(p.get("tower_receipt").get("signature").asText());
                assertThat(rows.getString("issued_at")).isEqualTo(p.get("tower_receipt").get("issued_at").asText());
                assertThat(rows.getString("file")).isEqualTo(String.format("proof-%012d.json", p.get("seq").asLong()));
            }
            assertThat(rows.next()).as("no extra receipt rows").isFalse();
        }
    }

    /** Returns nonce -> {peer, received_at} of the ledger rows. */
    private static Map<String, String[]> checkLedger(Path root, SampleRuntime.Options o, SampleRuntime.Summary summary)
            throws Exception {
        Map<String, String[]> nonces = new HashMap<>();
        Set<String> batches = new HashSet<>();
        Set<String> peers = new HashSet<>();
        String prevHash = Reference.zero();
        long expectedSeq = 1;
        Instant prevAt = Instant.MIN;
        try (Connection db = open(root.resolve("data/federation_ledger.db"));
             Statement st = db.createStatement()) {
            try (ResultSet mode = st.executeQuery("PRAGMA journal_mode")) {
                assertThat(mode.getString(1)).isEqualTo("wal");
            }
            try (ResultSet rows = st.executeQuery("SELECT * FROM ledger ORDER BY seq")) {
                while (rows.next()) {
                    long seq = rows.getLong("seq");
                    assertThat(seq).isEqualTo(expectedSeq++);
                    assertThat(rows.getString("prev_hash")).as("prev_hash of %d", seq).isEqualTo(prevHash);
                    String hash = Reference.sha256(prevHash + "|" + seq + "|" + rows.getString("batch_id") + "|"
                            + rows.getString("peer") + "|" + rows.getString("nonce") + "|"
                            + rows.getString("payload_sha256") + "|" + rows.getString("received_at"));
                    assertThat(rows.getString("entry_hash")).as("entry_hash of %d", seq).isEqualTo(hash);
                    assertThat(rows.getString("payload_sha256")).matches("[0-9a-f]{64}");
                    Instant at = Instant.parse(rows.getString("received_at"));
                    assertThat(at).isAfterOrEqualTo(prevAt).isBetween(o.end().minus(Duration.ofDays(o.days())), o.end());
                    assertThat(batches.add(rows.getString("batch_id"))).isTrue();
                    assertThat(nonces.put(rows.getString("nonce"), new String[] {rows.getString("peer"),
                            rows.getString("received_at")})).as("nonce of %d is unique", seq).isNull();
                    peers.add(rows.getString("peer"));
                    prevHash = hash;
                    prevAt = at;
                }
            }
        }
        assertThat(expectedSeq - 1).isEqualTo(o.ledgerRows());
        assertThat(peers).hasSizeBetween(3, 5).hasSize(summary.peers());
        assertThat(prevAt).isEqualTo(o.end());
        assertThat(summary.ledgerHead()).isEqualTo(new LedgerHead(o.ledgerRows(), prevHash));
        return nonces;
    }

    private static void checkNonceStore(Path root, Map<String, String[]> ledgerNonces) throws SQLException {
        Map<String, String[]> stored = new HashMap<>();
        try (Connection db = open(root.resolve("data/nonce_store.db"));
             Statement st = db.createStatement();
             ResultSet rows = st.executeQuery("SELECT nonce, peer, first_seen FROM nonces")) {
            while (rows.next()) {
                stored.put(rows.getString("nonce"), new String[] {rows.getString("peer"), rows.getString("first_seen")});
            }
        }
        assertThat(stored.keySet()).isEqualTo(ledgerNonces.keySet());
        ledgerNonces.forEach((nonce, entry) -> assertThat(stored.get(nonce)).as("nonce %s", nonce).containsExactly(entry));
    }

    private static void checkConfigAndSecrets(Path root, SampleRuntime.Summary summary) throws Exception {
        JsonNode keys = JSON.readTree(root.resolve("config/key_registry.json").toFile()).get("keys");
        assertThat(keys.size()).isBetween(3, 4);
        for (JsonNode key : keys) {
            for (String field : List.of("key_id", "purpose", "algorithm", "created_at", "status", "fingerprint")) {
                assertThat(key.hasNonNull(field)).as("%s of %s", field, key.get("key_id")).isTrue();
            }
        }
        String registry = Files.readString(root.resolve("config/key_registry.json"));
        assertThat(registry).contains("\"secret\"", "\"private_key\"", "\"material\"", "\"key_material\"", "\"token\"");
        assertThat(summary.secretFiles())
                .containsExactlyInAnyOrder("config/tls/server.key", "config/.env", "config/webhook-secret.txt");
        assertThat(Files.readString(root.resolve("config/tls/server.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n")
                .contains("-----END PRIVATE KEY-----");
        for (String f : List.of("config/governance/policy.yaml", "config/governance/gates.json", "config/alerts/rules.yaml")) {
            assertThat(root.resolve(f)).isNotEmptyFile();
        }
        JSON.readTree(root.resolve("config/governance/gates.json").toFile());

        // Every planted value is where the summary says, and nowhere a backup would copy it as is.
        Set<String> mayHoldSecrets = new HashSet<>(summary.secretFiles());
        mayHoldSecrets.add("config/key_registry.json");
        Map<String, String> text = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".db")).toList()) {
                text.put(root.relativize(p).toString(), Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(summary.plantedSecrets()).hasSizeGreaterThanOrEqualTo(8);
        summary.plantedSecrets().forEach((where, value) -> {
            assertThat(value).as(where).hasSizeGreaterThanOrEqualTo(16);
            String file = where.split(" ")[0];
            assertThat(text.get(file)).as(where).contains(value);
            text.forEach((path, content) -> {
                if (!mayHoldSecrets.contains(path)) {
                    assertThat(content).as("%s must not hold the secret planted at %s", path, where).doesNotContain(value);
                }
            });
        });
    }

    private static void checkLogs(Path root, SampleRuntime.Options o, int logMb, SampleRuntime.Summary summary)
            throws IOException {
        Path logs = root.resolve("logs");
        List<Path> serviceLogs;
        try (Stream<Path> s = Files.list(logs)) {
            serviceLogs = s.filter(p -> p.toString().endsWith(".log")).toList();
        }
        long total = 0;
        int recent = 0, older48h = 0, older7d = 0;
        for (Path log : serviceLogs) {
            total += Files.size(log);
            Duration age = Duration.between(Files.getLastModifiedTime(log).toInstant(), o.end());
            if (age.compareTo(Duration.ofHours(48)) < 0) recent++;
            if (age.compareTo(Duration.ofHours(48)) > 0) older48h++;
            if (age.compareTo(Duration.ofDays(7)) > 0) older7d++;
            assertThat(Files.readAllLines(log)).hasSizeGreaterThanOrEqualTo(20)
                    .allMatch(l -> l.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z (INFO |DEBUG|WARN |ERROR) \\[[a-z-]+\\] .+"));
        }
        assertThat(recent).isPositive();
        assertThat(older48h).isPositive();
        assertThat(older7d).isPositive();
        if (logMb > 0) {
            assertThat(total).isBetween(logMb * 1024L * 1024 * 95 / 100, logMb * 1024L * 1024 * 110 / 100);
        }
        List<String> everyProofDay = new ArrayList<>();
        for (LocalDate d = summary.firstDay(); !d.isAfter(summary.lastDay()); d = d.plusDays(1)) {
            everyProofDay.add("alerts-" + d + ".log");
        }
        try (Stream<Path> s = Files.list(logs.resolve("alerts"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactlyElementsOf(everyProofDay);
        }
        assertThat(summary.logFiles()).isEqualTo(serviceLogs.size());
        assertThat(summary.alertLogFiles()).isEqualTo(everyProofDay.size());
    }

    // ---- helpers ----

    private static String integrityCheck(Path db) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/sqlite3", db.toString(), "PRAGMA integrity_check")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("sqlite3 exit status, output: %s", out).isZero();
        return out;
    }

    private static Connection open(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    private static LocalDate day(String instant) {
        return Instant.parse(instant).atZone(ZoneOffset.UTC).toLocalDate();
    }

    private static long[] walk(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> files = s.filter(Files::isRegularFile).toList();
            long bytes = 0;
            for (Path f : files) bytes += Files.size(f);
            return new long[] {files.size(), bytes};
        }
    }

    private static Map<String, String> fileHashes(Path root) throws Exception {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                hashes.put(root.relativize(f).toString(),
                        Reference.sha256(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)));
            }
        }
        return hashes;
    }
}
