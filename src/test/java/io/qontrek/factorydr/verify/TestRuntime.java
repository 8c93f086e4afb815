package io.qontrek.factorydr.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.DailyDigest;
import io.qontrek.factorydr.runtime.ProofFile;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real sample runtime on disk and the one-thing-at-a-time breakages the verifier tests inflict on
 * it: a JSON field edited in place, a file deleted, an SQL statement run on a live database.
 */
final class TestRuntime {
    static final String TOWER_SECRET = "tower-secret-for-verify-tests";
    static final Instant END = Instant.parse("2025-10-26T03:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final RuntimeLayout layout;
    final SampleRuntime.Summary summary;

    private TestRuntime(Path root, SampleRuntime.Summary summary) {
        this.root = root;
        this.layout = RuntimeLayout.under(root, root.resolve("archive"));
        this.summary = summary;
    }

    /** 300 proofs over 3 days, 400 ledger rows, no logs. */
    static TestRuntime generate(Path root) throws IOException {
        return generate(root, 300, 3, 400);
    }

    static TestRuntime generate(Path root, int proofs, int days, int ledgerRows) throws IOException {
        SampleRuntime.Options options = SampleRuntime.Options.builder()
                .proofs(proofs).days(days).ledgerRows(ledgerRows).logMb(0)
                .towerSecret(TOWER_SECRET).end(END).build();
        return new TestRuntime(root, SampleRuntime.generate(root, options, null));
    }

    /** A runtime generated elsewhere (no summary). */
    static TestRuntime open(Path root) {
        return new TestRuntime(root, null);
    }

    static byte[] towerSecret() {
        return TOWER_SECRET.getBytes(StandardCharsets.UTF_8);
    }

    Path proof(long seq) {
        return layout.proofDir().resolve(ProofFile.fileName(seq));
    }

    Path digest(LocalDate day) {
        return DailyDigest.path(layout.proofDir(), day);
    }

    /** Rewrites one JSON file after {@code edit} changed its tree. */
    static void editJson(Path file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode node = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(node);
        Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }

    static String text(Path json, String field) throws IOException {
        return JSON.readTree(json.toFile()).get(field).asText();
    }

    /** Runs one statement on a database, as a stray hand or a bad restore would. */
    static int sql(Path db, String statement, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    static String queryOne(Path db, String query, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Every file under {@code dir} (relative path) with its SHA-256: equal maps mean nothing was touched. */
    static Map<String, String> fingerprint(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                try {
                    out.put(dir.relativize(f).toString(), Hashes.sha256Hex(Files.readAllBytes(f)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return out;
    }
}
