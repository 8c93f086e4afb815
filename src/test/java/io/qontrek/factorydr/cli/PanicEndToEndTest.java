package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runbook's Panic Recovery: `panic recover` refuses while an integrity check fails (and alerts),
 * recovers after a restore; the backup posture (offsite, drill, ...) is only a warning, so it
 * recovers with S3 disabled or unreachable and lists the warnings in its signed proof.
 */
class PanicEndToEndTest {
    @TempDir Path tmp;

    @Test
    void recoveryIsRefusedWhileTheChainIsBrokenAndSignedAfterARestore_whateverTheBackupPosture() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(120).days(2).ledgerRows(300).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = new java.util.HashMap<>(Cli.env(tmp));
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();

        Files.delete(root.resolve("proof/proof-000000000060.json"));
        String reason = "ledger fork seen by peer-7 at 03:12Z";
        Files.writeString(root.resolve("data/ATLAS_PANIC"), reason + "\n");

        Cli.Result refused = Cli.run(env, "panic", "recover", "--root=" + root);
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err().strip().lines()).hasSize(1);
        assertThat(refused.err()).contains("recovery is not safe").contains("proofs: seq 60 missing");
        assertThat(refused.out()).contains("FAILED proofs").contains("ok     federation-probe");
        assertThat(root.resolve("data/ATLAS_PANIC")).exists();
        assertThat(RecoveryProofCheck.list(root.resolve("archive"), "resilience_ops_v1-")).isEmpty();
        // a refused recovery is a failed flow: it alerts, once, naming the failed check
        List<String> alerts = alertLines(root);
        assertThat(alerts).as(alerts.toString()).hasSize(1);
        assertThat(alerts.get(0)).contains("\"flow\":\"panic-recover\"").contains("\"severity\":\"critical\"")
                .contains("recovery is not safe").contains("seq 60 missing");

        Cli.Result restored = Cli.run(env, "restore", "--date=latest", "--verify", "--root=" + root);
        assertThat(restored.exit()).as(restored.toString()).isZero();
        assertThat(root.resolve("data/ATLAS_PANIC")).exists();

        // S3 disabled (factory.s3.enabled=false) while the policy requires offsite copies, and no drill
        // ever ran: the offsite and drill gates fail, and recovery goes ahead warning about them
        Cli.Result recovered = Cli.runAsOperator(env, "panic", "recover", "--root=" + root);
        assertThat(recovered.exit()).as(recovered.toString()).isZero();
        assertThat(recovered.out()).contains("WARN   offsite: offsite copies are disabled (factory.s3.enabled=false)")
                .contains("WARN   drill: no signed drill proof").contains("ok     rpo").contains("ok     full-backup")
                .contains("recovery is safe (2 backup posture warnings)");
        assertThat(root.resolve("data/ATLAS_PANIC")).doesNotExist();
        List<Path> proofs = RecoveryProofCheck.list(root.resolve("archive"), "resilience_ops_v1-");
        assertThat(proofs).hasSize(1);
        JsonNode p = RecoveryProofCheck.read(proofs.get(0));
        assertThat(RecoveryProofCheck.independentSignature(tmp, proofs.get(0))).isEqualTo(p.get("signature").asText());
        // and its detached Ed25519 signature, which openssl checks with the published public key alone
        Cli.Result ed25519 = RecoveryProofCheck.thirdPartyVerify(tmp, root.resolve("archive"), proofs.get(0));
        assertThat(ed25519.exit()).as(ed25519.toString()).isZero();
        assertThat(ed25519.out()).contains("Signature Verified Successfully");
        assertThat(p.at("/panic/reason").asText()).isEqualTo(reason);
        assertThat(p.at("/panic/present").asBoolean()).isTrue();
        assertThat(p.at("/proof_head/seq").asLong()).isEqualTo(119);
        assertThat(p.at("/ledger_head/seq").asLong()).isEqualTo(300);
        assertThat(p.get("checks")).isNotEmpty();
        for (JsonNode c : p.get("checks")) assertThat(c.get("pass").asBoolean()).as(c.toString()).isTrue();
        assertThat(p.get("checks").findValuesAsText("name")).containsExactly("proofs", "digests", "receipts", "federation",
                "federation-probe", "databases", "backup-heads");
        assertThat(p.get("posture").findValuesAsText("name")).containsExactly("rpo", "full-backup", "offsite", "drill");
        assertThat(p.get("warnings")).extracting(JsonNode::asText).satisfiesExactly(
                w -> assertThat(w).startsWith("offsite: offsite copies are disabled"),
                w -> assertThat(w).startsWith("drill: no signed drill proof"));
        assertThat(Cli.run(env, "panic", "verify", "--root=" + root).exit()).isZero();

        // S3 enabled but unreachable (nobody listens at its endpoint) during the incident: the backup is
        // not offsite, which is a warning; recovery contacts no S3 and goes ahead
        Files.writeString(root.resolve("data/ATLAS_PANIC"), "second incident: site network down\n");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        env.putAll(Map.of("FACTORY_S3_ENABLED", "true", "FACTORY_S3_ENDPOINT", "http://127.0.0.1:" + closedPort,
                "AWS_ACCESS_KEY_ID", "AKIDTEST", "AWS_SECRET_ACCESS_KEY", "SECRETTEST", "AWS_REGION", "us-east-1",
                "FACTORY_GOVERNANCE_OFFSITE_GRACE_MINUTES", "0"));
        Cli.Result unreachable = Cli.run(env, "panic", "recover", "--root=" + root);
        assertThat(unreachable.exit()).as(unreachable.toString()).isZero();
        assertThat(unreachable.out()).contains("WARN   offsite: 1 archive(s) not offsite");
        assertThat(root.resolve("data/ATLAS_PANIC")).doesNotExist();
        List<Path> both = RecoveryProofCheck.list(root.resolve("archive"), "resilience_ops_v1-");
        assertThat(both).hasSize(2);
        JsonNode second = RecoveryProofCheck.read(both.get(1));
        assertThat(RecoveryProofCheck.independentSignature(tmp, both.get(1))).isEqualTo(second.get("signature").asText());
        assertThat(second.at("/panic/reason").asText()).isEqualTo("second incident: site network down");
        assertThat(second.get("warnings")).extracting(JsonNode::asText).anySatisfy(w -> assertThat(w).startsWith("offsite: 1 archive(s) not offsite"));
        assertThat(alertLines(root)).as("a recovery that succeeds raises no alert").hasSize(1);
    }

    private static List<String> alertLines(Path root) throws Exception {
        Path dir = root.resolve("logs/alerts");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            List<String> lines = new java.util.ArrayList<>();
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("factory-dr-")).sorted().toList()) {
                lines.addAll(Files.readAllLines(f));
            }
            return lines;
        }
    }
}
