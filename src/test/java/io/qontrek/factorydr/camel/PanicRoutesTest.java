package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.recovery.PanicJob;
import io.qontrek.factorydr.recovery.RecoveryRefused;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/panic.camel.yaml in process, on a runtime in panic mode (data/ATLAS_PANIC) that has a full
 * backup: panic-recover on a whole runtime writes a signed resilience_ops proof and only then removes
 * the flag; with one proof file changed, panic-verify and panic-recover both refuse, naming the check,
 * the flag stays and no proof is written.
 */
class PanicRoutesTest extends RouteFileTestSupport {
    @Override
    List<String> routeFiles() {
        return List.of("panic.camel.yaml", "backup.camel.yaml", "archive.camel.yaml");
    }

    @BeforeEach
    void panic() throws Exception {
        fullBackup();
        Files.writeString(layout().panicFlag(), "ledger fork suspected\n");
    }

    private Exchange run(String flow) {
        return template.send("direct:" + flow, e -> e.getIn().setBody(PanicJob.live(layout())));
    }

    private List<Path> recoveryProofs() throws Exception {
        Path dir = layout().archiveDir().resolve("recovery-proofs");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("resilience_ops")).toList();
        }
    }

    @Test
    void recoverOnAWholeRuntimeSignsItsProofThenClearsTheFlag() throws Exception {
        NotifyBuilder signed = new NotifyBuilder(context).fromRoute("panic-recover").wereSentTo("direct:sign-detached").whenCompleted(1).create();
        Exchange ex = run("panic-recover");
        assertThat(ex.getException()).isNull();
        assertThat(signed.matches(30, TimeUnit.SECONDS)).isTrue();
        PanicJob job = ex.getMessage().getBody(PanicJob.class);
        assertThat(job.reason).isEqualTo("ledger fork suspected");
        assertThat(layout().panicFlag()).doesNotExist();
        assertThat(recoveryProofs()).filteredOn(p -> p.toString().endsWith(".json")).containsExactly(job.proofFile);
        assertThat(Path.of(job.proofFile + ".sig")).isRegularFile();
        assertThat(catalog().runs("panic-recover")).extracting(Catalog.RunRow::outcome).containsExactly("ok");
    }

    @Test
    void aChangedProofFileIsRefusedByVerifyAndRecoverAndTheFlagStays() throws Exception {
        Path proof;
        try (Stream<Path> s = Files.list(layout().proofDir())) {
            proof = s.filter(p -> p.getFileName().toString().startsWith("proof-")).sorted().findFirst().orElseThrow();
        }
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(proof.toFile());
        json.put("merkle_root", "f".repeat(64));
        Files.writeString(proof, json.toString());
        for (String flow : List.of("panic-verify", "panic-recover")) {
            Exchange ex = run(flow);
            assertThat(ex.getException()).as(flow).isNotNull();
            assertThat(ex.getException()).isInstanceOf(RecoveryRefused.class);
            assertThat(catalog().runs(flow)).extracting(Catalog.RunRow::outcome).containsExactly("failed");
        }
        assertThat(layout().panicFlag()).exists();
        assertThat(recoveryProofs()).isEmpty();
        assertThat(alertLines()).hasSize(2);
    }
}
