package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `factory-dr drill`: the runbook's DR drill in a staging copy, its signed proof, and `verify drill`. */
class DrillEndToEndTest {
    /** The runbook's drill, step by step and outcome by outcome, as the drill proof must list them. */
    static final List<String> OUTCOMES = List.of("backup-restored", "disaster-simulated", "full-restore-verified",
            "panic-recovered", "proof-files-restored", "merkle-root-chain-continuous", "federation-sync-resumed",
            "nonce-store-rebuilt", "no-replay-possible", "tower-receipts-verified", "governance-gates-pass");

    @TempDir Path tmp;

    private Path runtimeWithBackup(Map<String, String> env) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(150).days(2).ledgerRows(600).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(60)).build(), null);
        Cli.Result full = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(full.exit()).as(full.toString()).isZero();
        return root;
    }

    /** What the drill's "governance gates pass" reads besides the backup: a whole verification and a proof chain check. */
    private static void verified(Map<String, String> env, Path root) throws Exception {
        for (String what : List.of("backup", "proofs")) {
            Cli.Result v = Cli.run(env, "verify", what, "--root=" + root);
            assertThat(v.exit()).as(v.toString()).isZero();
        }
    }

    @Test
    void aDrillRestoresASimulatedDisasterInStagingAndSignsItsProof() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Cli.env(tmp));
        env.put("FACTORY_GOVERNANCE_OFFSITE_REQUIRED", "false"); // no S3 here: the offsite gate is not required
        Path root = runtimeWithBackup(env);
        verified(env, root);
        Path fullArchive;
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            fullArchive = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }
        String before = RuntimeHash.of(root);

        Cli.Result r = Cli.runAsOperator(env, "drill", "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(RuntimeHash.of(root)).as("the live runtime is never touched").isEqualTo(before);
        assertThat(root.resolve("data/ATLAS_PANIC")).doesNotExist();

        List<Path> proofs = RecoveryProofCheck.list(root.resolve("archive"), "drill-");
        assertThat(proofs).hasSize(1);
        Path proof = proofs.get(0);
        JsonNode d = RecoveryProofCheck.read(proof);
        assertThat(RecoveryProofCheck.independentSignature(tmp, proof)).isEqualTo(d.get("signature").asText());
        assertThat(d.get("schema").asText()).isEqualTo("factory.drill_proof.v1");
        List<String> names = new ArrayList<>();
        for (JsonNode o : d.get("outcomes")) {
            names.add(o.get("name").asText());
            assertThat(o.get("pass").asBoolean()).as(o.toString()).isTrue();
        }
        assertThat(names).isEqualTo(OUTCOMES);
        assertThat(d.get("pass").asBoolean()).isTrue();
        // "governance gates pass" is the gates' own verdict on the recovered staging copy, the drill gate excepted
        assertThat(d.at("/outcomes/10/detail").asText()).contains("chain-heads-equal-backup ok").contains("rpo ok")
                .contains("full-backup ok").contains("verification ok").contains("offsite ok").contains("proof-chain ok")
                .contains("panic ok").doesNotContain("drill ");
        // the staging copy's panic recovery recorded the backup posture, and warned about the missing drill
        assertThat(d.at("/recovery_proof/posture").findValuesAsText("name")).containsExactly("rpo", "full-backup", "offsite", "drill");
        assertThat(d.at("/recovery_proof/warnings/0").asText()).startsWith("drill: no signed drill proof");
        // the archive restored, by id and by the bytes' hash as sha256sum sees them
        String sha = Cli.sh(tmp, Map.of(), "sha256sum '" + fullArchive + "' | cut -d' ' -f1").out().trim();
        assertThat(d.get("archives")).hasSize(1);
        assertThat(d.at("/archives/0/sha256").asText()).isEqualTo(sha);
        assertThat(d.at("/archives/0/backup_id").asText()).startsWith("full-");
        // RTO measured against 30 min, RPO against 1 h: the runtime's newest proof is a minute old
        assertThat(d.at("/rto/objective_seconds").asLong()).isEqualTo(1800);
        assertThat(d.at("/rto/millis").isIntegralNumber()).isTrue();
        assertThat(d.at("/rpo/objective_seconds").asLong()).isEqualTo(3600);
        assertThat(d.at("/rpo/proof_age_seconds").asLong()).isBetween(0L, 3600L);
        assertThat(d.at("/rpo/met").asBoolean()).isTrue();
        // and the newest recovery point of each kind of data, the full for all four here
        for (String kind : List.of("proof", "federation_ledger", "nonce_store", "receipts")) {
            assertThat(d.at("/rpo/recovery_points/" + kind + "/what").asText()).as(kind).startsWith("full backup full/");
            assertThat(d.at("/rpo/recovery_points/" + kind + "/age_seconds").asLong()).as(kind).isBetween(0L, 3600L);
        }
        assertThat(d.at("/rpo/seconds").asLong()).isEqualTo(d.at("/rpo/recovery_points/proof/age_seconds").asLong());
        // the staging copy's own panic recovery carried the simulated panic's reason
        assertThat(d.at("/recovery_proof/panic/reason").asText()).isEqualTo(d.get("panic_reason").asText());
        // the scratch staging copy is gone
        try (Stream<Path> s = Files.walk(root.resolve("archive"))) {
            assertThat(s.map(Path::toString)).noneMatch(p -> p.contains("/drill-") && !p.contains("recovery-proofs")
                    && !p.contains("/.locks/"));   // the flow's lock file, drill-quarterly.lock
        }

        Cli.Result ok = Cli.run(env, "verify", "drill", proof.toString(), "--root=" + root);
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("passed all 11 outcomes").contains("Ed25519 signature verified: " + proof.getFileName() + ".sig");
        // the detached Ed25519 signature: openssl checks it with the published public key alone
        Cli.Result ed25519 = RecoveryProofCheck.thirdPartyVerify(tmp, root.resolve("archive"), proof);
        assertThat(ed25519.exit()).as(ed25519.toString()).isZero();
        assertThat(ed25519.out()).contains("Signature Verified Successfully");
        // one byte of layout changed (an indent's space made a tab): the HMAC over the canonical JSON still
        // holds, the signature over the exact bytes does not, for openssl and for us
        Path respaced = tmp.resolve("respaced.json");
        Files.writeString(respaced, Files.readString(proof).replaceFirst("\n  \"", "\n \t\""));
        Files.copy(Path.of(proof + ".sig"), Path.of(respaced + ".sig"));
        assertThat(Files.size(respaced)).isEqualTo(Files.size(proof));
        assertThat(RecoveryProofCheck.thirdPartyVerify(tmp, root.resolve("archive"), respaced).exit()).isNotZero();
        Cli.Result respacedVerify = Cli.run(env, "verify", "drill", respaced.toString(), "--root=" + root);
        assertThat(respacedVerify.exit()).as(respacedVerify.toString()).isEqualTo(1);
        assertThat(respacedVerify.err().strip().lines()).hasSize(1);
        assertThat(respacedVerify.err()).contains("respaced.json.sig: the Ed25519 signature does not verify");

        // tampered: one outcome's detail changed, the signature left as it was
        Path tampered = tmp.resolve("tampered.json");
        Files.writeString(tampered, Files.readString(proof).replaceFirst("byte-equal", "byte-EQUAL"));
        assertThat(Files.mismatch(proof, tampered)).isNotEqualTo(-1L);
        Cli.Result bad = Cli.run(env, "verify", "drill", tampered.toString(), "--root=" + root);
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.err().strip().lines()).hasSize(1);
        assertThat(bad.err()).contains("signature does not verify");
    }

    /** proof/ as a link to a volume: a --staging inside that volume is inside the live proofs, however it is spelled. */
    @Test
    void aStagingInsideTheLiveRuntimeIsRefusedThroughLinksToo() throws Exception {
        Map<String, String> env = Cli.env(tmp);
        Path root = runtimeWithBackup(env);
        Path volume = Files.createDirectories(tmp.resolve("volume"));
        Files.move(root.resolve("proof"), volume.resolve("proof"));
        Files.createSymbolicLink(root.resolve("proof"), volume.resolve("proof"));
        List<String> before;
        try (Stream<Path> s = Files.list(volume.resolve("proof"))) {
            before = s.map(Path::toString).sorted().toList();
        }
        for (Path staging : List.of(volume.resolve("proof/drill-here"), root.resolve("proof/drill-here"))) {
            Cli.Result r = Cli.run(env, "drill", "--staging=" + staging, "--root=" + root);
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("overlaps the live runtime");
            try (Stream<Path> s = Files.list(volume.resolve("proof"))) {
                assertThat(s.map(Path::toString).sorted().toList()).as("the live proofs").isEqualTo(before);
            }
        }
    }

    @Test
    void aCorruptNewestBackupFailsTheDrillNamingTheOutcome() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Cli.env(tmp));
        env.put("FACTORY_GOVERNANCE_OFFSITE_REQUIRED", "false"); // no S3 here: the offsite gate is not required
        Path root = runtimeWithBackup(env);
        Path archive;
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            archive = s.filter(p -> p.toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
        // a failed drill alerts, into logs/alerts/ (archived like any alert): the rest stays as it was
        String before = RuntimeHash.of(root, "proof", "config", "data");
        Path staging = tmp.resolve("kept-staging");

        Cli.Result r = Cli.run(env, "drill", "--staging=" + staging, "--root=" + root);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("outcome backup-restored failed");
        assertThat(r.out()).contains("FAILED backup-restored");
        assertThat(RuntimeHash.of(root, "proof", "config", "data")).isEqualTo(before);
        // the drill itself alerts (the staged restore that failed alerts too, as restore)
        String alerts;
        try (Stream<Path> s = Files.list(root.resolve("logs/alerts"))) {
            alerts = String.join("\n", s.filter(p -> p.getFileName().toString().startsWith("factory-dr-")).map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList());
        }
        assertThat(alerts).contains("\"flow\":\"drill-quarterly\"").contains("drill-quarterly failed: outcome backup-restored failed");
        assertThat(staging).isDirectory(); // --staging keeps it for a post-mortem

        List<Path> proofs = RecoveryProofCheck.list(root.resolve("archive"), "drill-");
        assertThat(proofs).hasSize(1);
        JsonNode d = RecoveryProofCheck.read(proofs.get(0));
        assertThat(RecoveryProofCheck.independentSignature(tmp, proofs.get(0))).isEqualTo(d.get("signature").asText());
        assertThat(d.get("pass").asBoolean()).isFalse();
        assertThat(d.at("/outcomes/0/name").asText()).isEqualTo("backup-restored");
        assertThat(d.at("/outcomes/0/pass").asBoolean()).isFalse();
        assertThat(d.get("outcomes")).hasSize(OUTCOMES.size());

        Cli.Result v = Cli.run(env, "verify", "drill", proofs.get(0).toString(), "--root=" + root);
        assertThat(v.exit()).as(v.toString()).isEqualTo(1);
        assertThat(v.err()).contains("backup-restored");
    }
}
