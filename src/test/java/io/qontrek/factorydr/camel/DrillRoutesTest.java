package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.steps.RecoveryBeans;
import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.recovery.DrillRun;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/drill.camel.yaml composing restore.camel.yaml and panic.camel.yaml, in process, after a real
 * full backup: the drill runs restore twice and panic-recover once (each recorded under its own name),
 * emits a signed drill proof that verify-drill and openssl accept and reject once a byte changes, and
 * leaves no staging copy; when panic-recover fails (AdviceWith), the drill fails naming that outcome,
 * still emits its proof, and cleans up.
 */
class DrillRoutesTest extends RouteFileTestSupport {
    @Override
    List<String> routeFiles() {
        return List.of("drill.camel.yaml", "restore.camel.yaml", "panic.camel.yaml", "backup.camel.yaml", "archive.camel.yaml",
                "verify.camel.yaml");
    }

    @Override
    Map<String, String> moreSettings() {
        return Map.of("factory.governance.offsite-required", "false"); // the drill's gates: OffsiteRoutesTest has S3
    }

    /** A full backup and the daily verification: what the drill's governance gates ask to have happened. */
    @BeforeEach
    void backUpAndVerify() {
        fullBackup();
        assertThat(send("verify-daily", Map.of()).getException()).isNull();
    }

    private Exchange drill() {
        return template.send("direct:drill-quarterly", e -> e.getIn().setBody(new DrillRun(null)));
    }

    private static int openssl(Path pub, Path file) throws Exception {
        Process p = new ProcessBuilder("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in",
                file.toString(), "-sigfile", file + ".sig").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @Test
    void theDrillComposesRestoreAndPanicAndEmitsASignedProof() throws Exception {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("drill-quarterly").whenCompleted(1).create();
        Exchange ex = drill();
        assertThat(ex.getException()).isNull();
        assertThat(done.matches(60, TimeUnit.SECONDS)).isTrue();
        DrillRun run = ex.getMessage().getBody(DrillRun.class);
        assertThat(run.passed()).isTrue();
        assertThat(catalog().runs("drill-quarterly")).extracting(Catalog.RunRow::outcome).containsExactly("ok");
        assertThat(catalog().runs("restore")).extracting(Catalog.RunRow::outcome).containsExactly("ok", "ok");
        assertThat(catalog().runs("panic-recover")).extracting(Catalog.RunRow::outcome).containsExactly("ok");
        assertThat(run.staging).doesNotExist();

        Path proof = run.proofFile;
        Path pub = io.qontrek.factorydr.signing.DetachedSignatures.publicKeyFile(layout().archiveDir());
        assertThat(openssl(pub, proof)).isZero();
        assertThat(send("verify-drill", Map.of(RecoveryBeans.DRILL_PROOF, proof.toString())).getException()).isNull();
        try (RandomAccessFile f = new RandomAccessFile(proof.toFile(), "rw")) {
            f.seek(f.length() - 2);
            int b = f.read();
            f.seek(f.length() - 2);
            f.write(b == ' ' ? '\t' : ' ');
        }
        assertThat(openssl(pub, proof)).isNotZero();
        assertThat(send("verify-drill", Map.of(RecoveryBeans.DRILL_PROOF, proof.toString())).getException()).isNotNull();
    }

    @Test
    void aFailedPanicRecoveryFailsTheDrillNamingItAndCleansUp() throws Exception {
        AdviceWith.adviceWith(context, "panic-recover", a -> a.weaveByToString(".*panicWriteProof.*").replace()
                .throwException(new IOException("No space left on device")));
        Exchange ex = drill();
        assertThat(ex.getException()).isNotNull();
        DrillRun run = ex.getMessage().getBody(DrillRun.class);
        assertThat(run.passed()).isFalse();
        assertThat(run.proofFile).as("the drill proof, of a failed drill").isRegularFile();
        assertThat(Files.exists(Path.of(run.proofFile + ".sig"))).isTrue();
        assertThat(run.staging).doesNotExist();
        assertThat(catalog().runs("drill-quarterly")).extracting(Catalog.RunRow::outcome).containsExactly("failed");
        assertThat(catalog().runs("panic-recover")).extracting(Catalog.RunRow::outcome).containsExactly("failed");
        assertThat(alertLines()).anyMatch(l -> l.contains("drill-quarterly"));
    }
}
