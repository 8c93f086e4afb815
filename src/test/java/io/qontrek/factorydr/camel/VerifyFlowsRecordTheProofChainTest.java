package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.steps.VerifyBeans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.Catalog.ProofChainCheck;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernancePolicy;
import io.qontrek.factorydr.runtime.SampleRuntime;
import io.qontrek.factorydr.verify.VerificationFailed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verify flows, in process through the real routes, record each proof chain verdict in the
 * catalog: verify-proofs (whole chain or a date range, passed or broken) and verify-daily; and the
 * proof-chain gate follows what they recorded.
 */
class VerifyFlowsRecordTheProofChainTest {
    static final int PROOFS = 40;

    @TempDir Path tmp;

    @Test
    void verifyProofsAndVerifyDailyRecordTheirVerdict_andTheGateReadsIt() throws Exception {
        Path root = tmp.resolve("runtime");
        Instant end = Instant.now();
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(PROOFS).days(2).ledgerRows(50).logMb(0)
                .towerSecret("tower-signing 55de").end(end).build(), null);
        Settings settings = SettingsCheck.validate(Settings.load(null, Map.of(), Map.of("factory.root", root.toString())));
        Secrets secrets = new Secrets(io.qontrek.factorydr.signing.TestSigningKey.with(Map.of(Secrets.ARCHIVE_KEY, "archive-pass phrase 7f3c",
                Secrets.SIGNING_SECRET, "factory-signing 91ab", Secrets.TOWER_SECRET, "tower-signing 55de")));
        RuntimeLayout layout = RuntimeLayout.of(settings);
        Catalog catalog = new Catalog(layout.catalogDb());
        GovernancePolicy policy = GovernancePolicy.from(settings);
        String headRoot = new ObjectMapper().readTree(layout.proofDir().resolve(String.format("proof-%012d.json", PROOFS - 1))
                .toFile()).get("merkle_root").asText();

        try (Flows flows = Flows.start(settings, secrets, "backup-full", "verify-proofs", "verify-daily")) {
            assertThat(Gates.evaluate(layout, catalog, policy, null, Instant.now()).gate(Gates.PROOF_CHAIN).orElseThrow().pass()).isFalse();

            flows.run("verify-proofs", Map.of(), ProgressListener.NONE);
            ProofChainCheck whole = catalog.newestProofChainEvidence().orElseThrow();
            assertThat(whole).extracting(ProofChainCheck::flow, ProofChainCheck::passed, ProofChainCheck::wholeChain,
                    ProofChainCheck::proofFiles, ProofChainCheck::firstSeq, ProofChainCheck::lastSeq, ProofChainCheck::headSeq,
                    ProofChainCheck::headRoot)
                    .containsExactly("verify-proofs", true, true, (long) PROOFS, 0L, PROOFS - 1L, PROOFS - 1L, headRoot);
            assertThat(Gates.evaluate(layout, catalog, policy, null, Instant.now()).gate(Gates.PROOF_CHAIN).orElseThrow().pass()).isTrue();

            // a passed range is recorded as one, and is not the gate's evidence
            String day = LocalDate.ofInstant(end, ZoneOffset.UTC).toString();
            flows.run("verify-proofs", Map.of(VerifyBeans.FROM, day, VerifyBeans.TO, day), ProgressListener.NONE);
            assertThat(catalog.newestProofChainEvidence()).contains(whole);

            // a deleted proof: verify-proofs fails, and its verdict is recorded before it does
            Path p7 = layout.proofDir().resolve("proof-000000000007.json");
            Path away = tmp.resolve("proof-7");
            Files.move(p7, away);
            assertThatThrownBy(() -> flows.run("verify-proofs", Map.of(), ProgressListener.NONE))
                    .isInstanceOf(VerificationFailed.class).hasMessageContaining("seq 7 missing");
            ProofChainCheck broken = catalog.newestProofChainEvidence().orElseThrow();
            assertThat(broken.passed()).isFalse();
            assertThat(broken.detail()).contains("seq 7 missing");
            assertThat(Gates.evaluate(layout, catalog, policy, null, Instant.now()).gate(Gates.PROOF_CHAIN).orElseThrow().detail())
                    .contains("verify-proofs found the whole proof chain broken").contains("seq 7 missing");
            Files.move(away, p7);

            // the daily verification (it needs a backup to verify) checks the whole chain and records it too; in a
            // later second than the failed run, which would otherwise outweigh it (GatesTest covers the same second)
            flows.run("backup-full", Map.of(), ProgressListener.NONE);
            Instant failedAt = Instant.parse(catalog.flowRuns().get("verify-proofs").last().finishedAt());
            while (!Instant.now().truncatedTo(ChronoUnit.SECONDS).isAfter(failedAt)) Thread.onSpinWait();
            flows.run("verify-daily", Map.of(), ProgressListener.NONE);
            ProofChainCheck daily = catalog.newestProofChainEvidence().orElseThrow();
            assertThat(daily).extracting(ProofChainCheck::flow, ProofChainCheck::passed, ProofChainCheck::wholeChain,
                    ProofChainCheck::headSeq, ProofChainCheck::headRoot)
                    .containsExactly("verify-daily", true, true, PROOFS - 1L, headRoot);
            // the failed verify-proofs run is older than this check: the gate passes again
            assertThat(Gates.evaluate(layout, catalog, policy, null, Instant.now()).gate(Gates.PROOF_CHAIN).orElseThrow())
                    .satisfies(g -> assertThat(g.pass()).as(g.detail()).isTrue());
        }
    }
}
