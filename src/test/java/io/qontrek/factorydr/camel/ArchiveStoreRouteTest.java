package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.steps.FlowBeans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive-store route's steps are real steps: run in process through the project's route files
 * with archive.camel.yaml edited as an operator might, a step removed or moved fails at the step that
 * cannot run, naming it, and leaves no archive; the route as shipped stores one.
 */
class ArchiveStoreRouteTest {
    static final Secrets SECRETS = new Secrets(io.qontrek.factorydr.signing.TestSigningKey.with(Map.of(Secrets.ARCHIVE_KEY,
            "route-test archive key", Secrets.SIGNING_SECRET, "route-test signing secret", Secrets.TOWER_SECRET, "route-test tower")));

    @TempDir Path tmp;

    /** Runs proof-daily-archive for the sample's first day with archive.camel.yaml changed by {@code edit}. */
    private Object run(UnaryOperator<String> edit) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.Summary sample = SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(30).days(2).ledgerRows(20)
                .logMb(0).towerSecret("route-test tower").end(Instant.now().minusSeconds(600)).build(), null);
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                Files.writeString(routes.resolve(f.getFileName()), f.getFileName().toString().equals("archive.camel.yaml") ? edit.apply(text) : text);
            }
        }
        Settings settings = SettingsCheck.validate(Settings.load(null, Map.of(), Map.of("factory.root", root.toString(), "factory.routes-dir", routes.toString())));
        try (Flows flows = Flows.start(settings, SECRETS, "proof-daily-archive")) {
            return flows.run("proof-daily-archive", Map.of(FlowBeans.DATE, sample.firstDay().toString()), ProgressListener.NONE);
        }
    }

    private static String without(String route, String step) {
        String block = "        - process: {ref: " + step + "}\n";
        assertThat(route).contains(block);
        return route.replace(block, "");
    }

    private List<String> archives() throws Exception {
        Path dir = tmp.resolve("runtime/archive");
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).filter(p -> p.contains(".tar.gz.enc")).toList();
        }
    }

    private List<Catalog.RunRow> runs() {
        return new Catalog(RuntimeLayout.under(tmp.resolve("runtime"), tmp.resolve("runtime/archive")).catalogDb()).runs("proof-daily-archive");
    }

    @Test
    void asShippedItStoresTheArchive() throws Exception {
        Object stored = run(r -> r);
        assertThat(stored).isInstanceOf(StoredArchive.class);
        assertThat(archives()).hasSize(4).anyMatch(n -> n.endsWith(".manifest.json.sig")); // the archive, its sidecars, the manifest's signature
        assertThat(runs()).extracting(Catalog.RunRow::outcome).containsExactly("ok");
    }

    @Test
    void withoutTheReadBackPublishRefusesTheArchive() throws Exception {
        assertThatThrownBy(() -> run(r -> without(r, "verifyReadBack"))).hasMessageContaining("publish: proof/")
                .hasMessageContaining("was not read back and verified");
        assertThat(archives()).isEmpty();
        assertThat(runs()).extracting(Catalog.RunRow::outcome).containsExactly("failed");
    }

    @Test
    void withoutTheTarGzipRefusesTheBody() throws Exception {
        assertThatThrownBy(() -> run(r -> without(r, "tar"))).hasMessageContaining("the gzip step takes an InputStream")
                .hasMessageContaining("put it after tar");
        assertThat(archives()).isEmpty();
    }

    @Test
    void encryptionBeforeCompressionIsCaughtByTheReadBack() throws Exception {
        String gzip = "        - process: {ref: gzip}\n";
        String encrypt = "        - process: {ref: encrypt}\n";
        assertThatThrownBy(() -> run(r -> r.replace(gzip + encrypt, encrypt + gzip))).hasMessageContaining("verifyReadBack: ");
        assertThat(archives()).isEmpty();
    }
}
