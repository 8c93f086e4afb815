package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runbook's Panic Recovery: `panic recover` refuses while a check fails, recovers after a restore. */
class PanicEndToEndTest {
    @TempDir Path tmp;

    @Test
    void recoveryIsRefusedWhileTheChainIsBrokenAndSignedAfterARestore() throws Exception {
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

        Cli.Result restored = Cli.run(env, "restore", "--date=latest", "--verify", "--root=" + root);
        assertThat(restored.exit()).as(restored.toString()).isZero();
        assertThat(root.resolve("data/ATLAS_PANIC")).exists();

        // the governance gates recovery rests on: with no offsite copy while policy requires one, not yet
        Cli.Result noOffsite = Cli.run(env, "panic", "recover", "--root=" + root);
        assertThat(noOffsite.exit()).as(noOffsite.toString()).isEqualTo(1);
        assertThat(noOffsite.err()).contains("governance-gates").contains("offsite");
        assertThat(root.resolve("data/ATLAS_PANIC")).exists();
        env.put("FACTORY_GOVERNANCE_OFFSITE_REQUIRED", "false"); // this site keeps no offsite copies

        Cli.Result recovered = Cli.run(env, "panic", "recover", "--root=" + root);
        assertThat(recovered.exit()).as(recovered.toString()).isZero();
        assertThat(root.resolve("data/ATLAS_PANIC")).doesNotExist();
        List<Path> proofs = RecoveryProofCheck.list(root.resolve("archive"), "resilience_ops_v1-");
        assertThat(proofs).hasSize(1);
        JsonNode p = RecoveryProofCheck.read(proofs.get(0));
        assertThat(RecoveryProofCheck.independentSignature(tmp, proofs.get(0))).isEqualTo(p.get("signature").asText());
        assertThat(p.at("/panic/reason").asText()).isEqualTo(reason);
        assertThat(p.at("/panic/present").asBoolean()).isTrue();
        assertThat(p.at("/proof_head/seq").asLong()).isEqualTo(119);
        assertThat(p.at("/ledger_head/seq").asLong()).isEqualTo(300);
        assertThat(p.get("checks")).isNotEmpty();
        for (JsonNode c : p.get("checks")) assertThat(c.get("pass").asBoolean()).as(c.toString()).isTrue();
        assertThat(p.get("checks").findValuesAsText("name")).contains("proofs", "digests", "receipts", "federation",
                "federation-probe", "governance-gates");
        assertThat(Cli.run(env, "panic", "verify", "--root=" + root).exit()).isZero();
    }
}
