package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.camel.SettingsCheck;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.runtime.MerkleTree;
import io.qontrek.factorydr.runtime.ProofFile;
import io.qontrek.factorydr.runtime.SampleRuntime;
import io.qontrek.factorydr.runtime.TowerReceipts;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each tripwire, in process through the real backup routes on a sample runtime (real SQLite, real
 * archives, the real catalog): it fires when the runtime shrank, names the finding in the signed
 * manifest, raises an alert and records the backup it holds; and it stays silent when the runtime only
 * grew or stayed the same.
 */
class ShrinkCheckTest {
    static final String TOWER = "tower-signing 55de";
    static final Secrets SECRETS = new Secrets(io.qontrek.factorydr.signing.TestSigningKey.with(Map.of(Secrets.ARCHIVE_KEY, "archive-pass phrase 7f3c",
            Secrets.SIGNING_SECRET, "factory-signing 91ab", Secrets.TOWER_SECRET, TOWER)));
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;
    Path root;
    Catalog catalog;
    private Instant lastBackup = Instant.EPOCH;

    private Flows start(int proofs, int ledgerRows, long minArchiveBytes) throws Exception {
        root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(proofs).days(2).ledgerRows(ledgerRows).logMb(0)
                .towerSecret(TOWER).end(Instant.now().minusSeconds(600)).build(), null);
        Settings settings = SettingsCheck.validate(Settings.load(null, Map.of(), Map.of("factory.root", root.toString(),
                "factory.backup.tripwire.min-archive-bytes", String.valueOf(minArchiveBytes))));
        catalog = new Catalog(RuntimeLayout.of(settings).catalogDb());
        return Flows.start(settings, SECRETS, "backup-full", "backup-incremental");
    }

    /** Runs a backup flow in a later second than the one before (archive names have one-second resolution). */
    private Object backup(Flows flows, String route) throws Exception {
        while (!Instant.now().truncatedTo(ChronoUnit.SECONDS).isAfter(lastBackup)) Thread.sleep(10);
        Object result = flows.run(route, Map.of(), ProgressListener.NONE);
        lastBackup = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return result;
    }

    private StoredArchive written(Flows flows, String route) throws Exception {
        Object r = backup(flows, route);
        assertThat(r).as(route + " wrote an archive").isInstanceOf(StoredArchive.class);
        return (StoredArchive) r;
    }

    /** The messages of every alert raised so far. */
    private List<String> alerts() throws Exception {
        List<String> out = new ArrayList<>();
        Path dir = root.resolve("logs/alerts");
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, "factory-dr-*.log")) {
            for (Path log : logs) for (String line : Files.readAllLines(log)) out.add(JSON.readTree(line).get("message").asText());
        }
        return out;
    }

    /** The tripwires member of the archive's signed sidecar manifest, as on disk (absent: none). */
    private static List<String> sidecarTripwires(StoredArchive a) throws Exception {
        JsonNode m = JSON.readTree(Path.of(a.file() + ".manifest.json").toFile());
        List<String> out = new ArrayList<>();
        if (m.has("tripwires")) m.get("tripwires").forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void sql(Path db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String q : statements) s.executeUpdate(q);
        }
    }

    /** The next proof of the chain, as the runtime appends it. */
    private void appendProof() throws Exception {
        Path dir = root.resolve("proof");
        long head;
        try (var s = Files.list(dir)) {
            head = s.map(p -> ProofFile.seqOfFileName(p.getFileName().toString())).filter(java.util.OptionalLong::isPresent)
                    .mapToLong(java.util.OptionalLong::getAsLong).max().orElseThrow();
        }
        String prev = ProofFile.read(dir.resolve(ProofFile.fileName(head))).merkleRoot();
        long seq = head + 1;
        List<String> leaves = List.of(String.format("%064x", seq), String.format("%064x", seq + 1));
        String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String merkleRoot = MerkleTree.rootHex(leaves);
        String id = ProofFile.proofId(seq);
        Files.write(dir.resolve(ProofFile.fileName(seq)), new ProofFile(ProofFile.SCHEMA, seq, id, created, leaves, merkleRoot, prev,
                new ProofFile.TowerReceipt(created, TowerReceipts.sign(TOWER, id, merkleRoot, created))).toJson());
    }

    @Test
    void proofFilesGoneTripTheNextIncremental_once_andAnIncrementalThatOnlyAddsIsSilent() throws Exception {
        try (Flows flows = start(40, 50, 0)) {
            StoredArchive f1 = written(flows, "backup-full");
            assertThat(f1.tripwires()).isEmpty();
            assertThat(backup(flows, "backup-incremental")).as("nothing changed: nothing to do, and nothing shrank")
                    .isInstanceOf(BackupSet.class);
            appendProof(); // seq 40
            StoredArchive i1 = written(flows, "backup-incremental");
            assertThat(i1.tripwires()).as("the runtime only grew").isEmpty();
            assertThat(sidecarTripwires(i1)).as("no tripwires member without a finding").isEmpty();
            assertThat(alerts()).isEmpty();

            // proofs 7 and 8 deleted: the next incremental is written although nothing else changed, and says so
            Files.delete(root.resolve("proof/proof-000000000007.json"));
            Files.delete(root.resolve("proof/proof-000000000008.json"));
            StoredArchive i2 = written(flows, "backup-incremental");
            String gone = "2 proof files that earlier archives hold are gone from proof/: proof-000000000007.json, "
                    + "proof-000000000008.json (copies in " + f1.manifest().backupId() + ")";
            assertThat(i2.tripwires()).containsExactly(gone);
            assertThat(sidecarTripwires(i2)).containsExactly(gone);
            assertThat(i2.manifest().files()).noneMatch(f -> f.path().startsWith("proof/"));
            assertThat(alerts()).singleElement().asString().startsWith("backup-incremental tripwire: " + gone)
                    .endsWith("retention keeps " + i1.manifest().backupId() + " until 'factory-dr tripwire ack "
                            + i2.manifest().backupId() + "'");
            assertThat(catalog.tripwiresOf(i2.manifest().backupId())).singleElement()
                    .satisfies(t -> assertThat(t.held()).isEqualTo(i1.manifest().backupId()));

            // still gone is not gone again: nothing else changed, so nothing to do (and no scratch left behind);
            // a full sees the same loss, silently
            assertThat(backup(flows, "backup-incremental")).isInstanceOf(BackupSet.class);
            try (var work = Files.walk(root.resolve("archive/.work"))) {
                assertThat(work.filter(Files::isRegularFile)).as("scratch of the nothing-to-do incremental").isEmpty();
            }
            StoredArchive f2 = written(flows, "backup-full");
            assertThat(f2.tripwires()).isEmpty();
            assertThat(alerts()).hasSize(1);

            // the head removed: a head below the previous backup's, and the file gone (held by the full that has it)
            Files.delete(root.resolve("proof/proof-000000000040.json"));
            StoredArchive i3 = written(flows, "backup-incremental");
            assertThat(i3.tripwires()).containsExactly(
                    "proof head seq 39 is below seq 40 of the previous backup " + f2.manifest().backupId(),
                    "1 proof file that an earlier archive holds is gone from proof/: proof-000000000040.json (copies in "
                            + f2.manifest().backupId() + ")");
            assertThat(alerts()).hasSize(3);
        }
    }

    @Test
    void aLedgerCutBackBelowThePreviousHeadTripsTheNextFull_anUnchangedOneDoesNot() throws Exception {
        try (Flows flows = start(30, 60, 0)) {
            StoredArchive f1 = written(flows, "backup-full");
            StoredArchive f2 = written(flows, "backup-full");
            assertThat(f1.tripwires()).isEmpty();
            assertThat(f2.tripwires()).as("nothing shrank").isEmpty();

            sql(root.resolve("data/federation_ledger.db"), "DELETE FROM ledger WHERE seq > 25");
            StoredArchive f3 = written(flows, "backup-full");
            assertThat(f3.manifest().ledgerHead().seq()).isEqualTo(25);
            String cut = "ledger head seq 25 is below seq 60 of the previous backup " + f2.manifest().backupId();
            assertThat(f3.tripwires()).contains(cut);
            assertThat(sidecarTripwires(f3)).contains(cut);
            assertThat(alerts()).anySatisfy(m -> assertThat(m).startsWith("backup-full tripwire: " + cut));
            assertThat(catalog.tripwiresOf(f3.manifest().backupId())).allSatisfy(t -> assertThat(t.held()).isEqualTo(f2.manifest().backupId()));

            // the ledger grows again from there: compared with the cut, not with the head before it
            StoredArchive f4 = written(flows, "backup-full");
            assertThat(f4.tripwires()).isEmpty();

            // a lost catalog, rebuilt from the signed manifests, holds the same backup again (acknowledgements are lost with it)
            catalog.acknowledgeTripwires(f3.manifest().backupId(), Instant.now());
            Files.delete(catalog.file());
            io.qontrek.factorydr.restore.CatalogRebuilder.rebuild(root.resolve("archive"), catalog,
                    "factory-signing 91ab".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(catalog.tripwires(false)).extracting(Catalog.Tripwire::backupId, Catalog.Tripwire::held, Catalog.Tripwire::finding)
                    .contains(org.assertj.core.groups.Tuple.tuple(f3.manifest().backupId(), f2.manifest().backupId(), cut));
        }
    }

    @Test
    void aDatabaseUnderHalfItsPreviousSnapshotTrips_aSteadyOneDoesNot() throws Exception {
        try (Flows flows = start(30, 3000, 0)) {
            written(flows, "backup-full");
            StoredArchive f2 = written(flows, "backup-full");
            assertThat(f2.tripwires()).isEmpty();

            // four nonces in five gone (the ledger still names them: an anti-replay hole, and a smaller snapshot)
            sql(root.resolve("data/nonce_store.db"), "DELETE FROM nonces WHERE rowid % 5 <> 0", "VACUUM");
            StoredArchive f3 = written(flows, "backup-full");
            assertThat(f3.tripwires()).singleElement().asString()
                    .startsWith("data/nonce_store.db is ").contains(", less than half of its previous snapshot's ")
                    .endsWith("(" + f2.manifest().backupId() + ")");
            StoredArchive f4 = written(flows, "backup-full");
            assertThat(f4.tripwires()).as("as small as the one before: no new shrink").isEmpty();
        }
    }

    @Test
    void aFullUnderTheFloorOrUnderHalfThePreviousFullTrips_anIncrementalIsNeverJudgedBySize() throws Exception {
        long floor = 2L << 20;
        try (Flows flows = start(30, 50, floor)) {
            byte[] noise = new byte[3 << 20];
            new Random(7).nextBytes(noise); // does not compress
            Path blob = root.resolve("config/governance/blob.bin");
            Files.createDirectories(blob.getParent());
            Files.write(blob, noise);
            StoredArchive big = written(flows, "backup-full");
            assertThat(big.manifest().archive().size()).isGreaterThan(floor);
            assertThat(big.tripwires()).as("above the floor, nothing before it").isEmpty();

            Files.delete(blob);
            StoredArchive small = written(flows, "backup-full");
            assertThat(small.manifest().archive().size()).isLessThan(floor);
            assertThat(small.tripwires()).satisfiesExactly(
                    f -> assertThat(f).startsWith("archive is ").contains(", under the floor of 2.0 MiB for a full backup "
                            + "(factory.backup.tripwire.min-archive-bytes=" + floor + ")"),
                    f -> assertThat(f).startsWith("archive is ").contains(", less than half of the previous full backup's ")
                            .endsWith("(" + big.manifest().backupId() + ")"));

            StoredArchive again = written(flows, "backup-full");
            assertThat(again.tripwires()).as("the floor still; not half of the one before")
                    .singleElement().asString().contains("under the floor");

            appendProof();
            StoredArchive inc = written(flows, "backup-incremental");
            assertThat(inc.manifest().archive().size()).isLessThan(floor);
            assertThat(inc.tripwires()).as("an incremental is as small as its change").isEmpty();
        }
    }
}
