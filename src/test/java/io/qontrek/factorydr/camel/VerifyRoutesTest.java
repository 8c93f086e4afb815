package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.steps.SignatureBeans;
import io.qontrek.factorydr.steps.FlowBeans;
import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/verify.camel.yaml with signatures.camel.yaml, in process, after a real full backup:
 * verify-archive and verify-backup pass and are recorded, each checking the manifest's Ed25519
 * signature through verify-detached; one changed byte of that signature fails both, with one alert
 * and a failed run each; verify-daily checks it too, after every other check has run.
 */
class VerifyRoutesTest extends RouteFileTestSupport {
    Path archive;

    @Override
    List<String> routeFiles() {
        return List.of("verify.camel.yaml", "backup.camel.yaml", "archive.camel.yaml");
    }

    @BeforeEach
    void backUp() throws Exception {
        fullBackup();
        archive = layout().archiveDir().resolve(archives().get(0));
    }

    private void changeTheManifestSignature() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(archive + ".manifest.json.sig", "rw")) {
            assertThat(f.length()).isEqualTo(64);
            int b = f.read();
            f.seek(0);
            f.write(b ^ 1);
        }
    }

    @Test
    void verifyArchiveChecksTheManifestSignatureBothWays() throws Exception {
        NotifyBuilder checked = new NotifyBuilder(context).fromRoute("verify-archive").wereSentTo("direct:verify-detached").whenCompleted(1).create();
        Exchange ok = send("verify-archive", Map.of(FlowBeans.ARCHIVE, archive.toString()));
        assertThat(ok.getException()).isNull();
        assertThat(checked.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ok.getMessage().getHeader(SignatureBeans.VERDICT, String.class)).startsWith("Ed25519 signature verified");

        changeTheManifestSignature();
        Exchange forged = send("verify-archive", Map.of(FlowBeans.ARCHIVE, archive.toString()));
        assertThat(forged.getException()).hasMessageContaining("the Ed25519 signature does not verify");
        assertThat(catalog().runs("verify-archive")).extracting(Catalog.RunRow::outcome).containsExactlyInAnyOrder("ok", "failed");
        assertThat(alertLines()).singleElement().asString().contains("verify-archive");
    }

    @Test
    void verifyBackupChecksEachArchiveManifestSignatureBothWays() throws Exception {
        NotifyBuilder checked = new NotifyBuilder(context).fromRoute("verify-backup").wereSentTo("direct:verify-detached").whenCompleted(1).create();
        assertThat(send("verify-backup", Map.of()).getException()).isNull();
        assertThat(checked.matches(30, TimeUnit.SECONDS)).as("verify-detached ran").isTrue();

        changeTheManifestSignature();
        Exchange forged = send("verify-backup", Map.of());
        assertThat(forged.getException()).hasMessageContaining("the Ed25519 signature does not verify");
        assertThat(catalog().runs("verify-backup")).extracting(Catalog.RunRow::outcome).containsExactlyInAnyOrder("ok", "failed");
        assertThat(alertLines()).singleElement().asString().contains("verify-backup");
    }

    @Test
    void verifyDailyChecksTheSignaturesToo() throws Exception {
        assertThat(send("verify-daily", Map.of()).getException()).isNull();
        changeTheManifestSignature();
        NotifyBuilder proofsChecked = new NotifyBuilder(context).fromRoute("verify-daily").whenFailed(1).create();
        Exchange forged = send("verify-daily", Map.of());
        assertThat(proofsChecked.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(forged.getException()).hasMessageContaining("the Ed25519 signature does not verify");
        // the other checks ran first: the proof chain's verdict of this run is recorded
        assertThat(catalog().newestProofChainEvidence()).get().extracting(Catalog.ProofChainCheck::passed).isEqualTo(true);
    }
}
