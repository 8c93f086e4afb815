package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runbook's integrity checks as commands: a whole runtime passes; each break fails naming where. */
class VerifyCommandsTest {
    @TempDir Path tmp;

    @Test
    void eachVerifierPassesThenCatchesItsBreakNamingIt() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(120).days(3).ledgerRows(200).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = Cli.env(tmp);
        for (String what : new String[] {"proofs", "receipts", "digests", "federation"}) {
            Cli.Result ok = Cli.run(env, "verify", what, "--root=" + root);
            assertThat(ok.exit()).as(ok.toString()).isZero();
            assertThat(ok.out()).startsWith("ok");
        }
        Cli.Result probe = Cli.run(env, "verify", "federation", "--probe", "--root=" + root);
        assertThat(probe.out()).contains("replay", "rejected");

        // a leaf of proof 57 changed: its root no longer recomputes
        Path p57 = root.resolve("proof/proof-000000000057.json");
        String proof = Files.readString(p57);
        int leaf = proof.indexOf("\"leaves\"");
        int hex = proof.indexOf('"', proof.indexOf('[', leaf)) + 1;
        char c = proof.charAt(hex);
        Files.writeString(p57, proof.substring(0, hex) + (c == 'a' ? 'b' : 'a') + proof.substring(hex + 1));
        Cli.Result broken = Cli.runAsOperator(env, "verify", "proofs", "--root=" + root, "--json");
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.err()).contains("verify proofs failed").contains("57");
        assertThat(broken.err().lines()).hasSize(1);
        Files.writeString(p57, proof);

        // a ledger entry's payload changed: its entry_hash no longer recomputes
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + root.resolve("data/federation_ledger.db"));
                Statement s = conn.createStatement()) {
            s.executeUpdate("UPDATE ledger SET payload_sha256 = '" + "f".repeat(64) + "' WHERE seq = 42");
        }
        Cli.Result ledger = Cli.run(env, "verify", "federation", "--root=" + root);
        assertThat(ledger.exit()).isEqualTo(1);
        assertThat(ledger.err()).contains("seq 42");
        assertThat(ledger.out()).contains("FAILED federation");

        // bad dates are usage errors
        Cli.Result bad = Cli.run(env, "verify", "proofs", "--from=2025-10-10", "--to=2025-10-01", "--root=" + root);
        assertThat(bad.exit()).isEqualTo(2);
    }
}
