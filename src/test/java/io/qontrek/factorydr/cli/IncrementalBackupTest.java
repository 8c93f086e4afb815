package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `backup incremental`: only what changed since the last backup, known from the catalog; nothing changed, nothing written. */
class IncrementalBackupTest {
    @TempDir Path tmp;

    private static Map<String, byte[]> digests(Path root) throws Exception {
        Map<String, byte[]> out = new java.util.HashMap<>();
        try (Stream<Path> s = Files.list(root.resolve("proof/digests"))) {
            for (Path p : s.toList()) out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return out;
    }

    @Test
    void holdsExactlyTheNewAndChangedProofFilesAndNamesItsBase() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(150).days(2).ledgerRows(50).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(3600)).build(), null);
        Map<String, String> env = Cli.env(tmp);

        Cli.Result none = Cli.run(env, "backup", "incremental", "--root=" + root);
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("run 'backup full' first");

        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        Thread.sleep(1100); // archive names have one-second resolution

        Cli.Result unchanged = Cli.run(env, "backup", "incremental", "--root=" + root);
        assertThat(unchanged.exit()).as(unchanged.toString()).isZero();
        assertThat(unchanged.out()).contains("neither the proof files nor the databases changed since full-");
        // touched but identical: not a change
        Path someProof = root.resolve("proof/proof-000000000007.json");
        Files.setLastModifiedTime(someProof, FileTime.from(Instant.now()));
        assertThat(Cli.run(env, "backup", "incremental", "--root=" + root).out()).contains("neither the proof files nor the databases changed");

        Map<String, byte[]> digestsBefore = digests(root);
        List<String> added = RuntimeEdits.appendProofs(root, 5, Cli.TOWER_SECRET);
        Path changed = root.resolve("proof/proof-000000000010.json");
        Files.writeString(changed, Files.readString(changed).replace("\"seq\"", "\"seq\" "));
        // the same size, other bytes: found by its hash
        Path sameSize = root.resolve("proof/proof-000000000011.json");
        String before = Files.readString(sameSize);
        Files.writeString(sameSize, before.replace("\"proof_id\"", "\"proof_iD\""));
        assertThat(Files.size(sameSize)).isEqualTo(before.length());
        Cli.Result inc = Cli.runAsOperator(env, "backup", "incremental", "--root=" + root);
        assertThat(inc.exit()).as(inc.toString()).isZero();

        Path archive;
        try (Stream<Path> s = Files.list(root.resolve("archive/incremental"))) {
            archive = s.filter(p -> p.toString().endsWith(".enc")).findFirst().orElseThrow();
        }
        Cli.Result list = Cli.sh(tmp, Map.of("K", Cli.ARCHIVE_KEY),
                "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:K -in '" + archive + "' | tar -tzf -");
        List<String> expected = new java.util.ArrayList<>(added.stream().map(n -> "proof/" + n).toList());
        expected.add("proof/proof-000000000010.json");
        expected.add("proof/proof-000000000011.json");
        digests(root).forEach((name, bytes) -> {
            if (!java.util.Arrays.equals(bytes, digestsBefore.get(name))) expected.add("proof/digests/" + name);
        });
        assertThat(expected).anyMatch(n -> n.startsWith("proof/digests/")); // today's digest took the new proofs
        // each database travels as what it gained since the full: here nothing, so empty deltas
        expected.addAll(List.of("data/federation_ledger.delta.db", "data/nonce_store.delta.db", "data/receipts.delta.db"));
        expected.add("manifest.json");
        assertThat(list.out().lines().toList()).containsExactlyInAnyOrderElementsOf(expected);

        JsonNode manifest = new ObjectMapper().readTree(Path.of(archive + ".manifest.json").toFile());
        String fullId = new Catalog(root.resolve("archive/catalog.db")).archives().get(0).backupId();
        assertThat(manifest.get("type").asText()).isEqualTo("incremental");
        assertThat(manifest.get("base").asText()).isEqualTo(fullId);
        assertThat(manifest.at("/proof_head/seq").asLong()).isEqualTo(154);

        List<Catalog.RunRow> runs = new Catalog(root.resolve("archive/catalog.db")).runs("backup-incremental");
        assertThat(runs).extracting(Catalog.RunRow::outcome).containsExactly("failed", "nothing-to-do", "nothing-to-do", "ok");
    }
}
