package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.restore.RestoreJob;
import io.qontrek.factorydr.restore.RestoreStaging;
import io.qontrek.factorydr.restore.RuntimeSwap;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/restore.camel.yaml in process, after a real full backup: a restore into a new target brings
 * every proof file back byte-equal and is recorded; a dry run stops before the swap and leaves no
 * staging; a damaged archive, or a swap that fails (AdviceWith), fails the run once with one alert,
 * discards the staging (errors.camel.yaml) and leaves the target as it was.
 */
class RestoreRoutesTest extends RouteFileTestSupport {
    Path target;

    @Override
    List<String> routeFiles() {
        return List.of("restore.camel.yaml", "backup.camel.yaml", "archive.camel.yaml");
    }

    @BeforeEach
    void backUp() throws IOException {
        fullBackup();
        target = tmp.resolve("restored");
    }

    private Exchange restore(boolean dryRun) {
        RestoreJob job = new RestoreJob("latest", null, RuntimeSwap.Scope.ALL, true, dryRun,
                RuntimeLayout.under(target, layout().archiveDir()));
        return template.send("direct:restore", e -> e.getIn().setBody(job));
    }

    private static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) return files;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Arrays.toString(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(p))));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return files;
    }

    /** Restore staging directories in the target (RestoreStaging.PREFIX: made inside it, so the swap is a rename). */
    private List<String> staging() throws IOException {
        if (!Files.isDirectory(target)) return List.of();
        try (Stream<Path> s = Files.list(target)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(RestoreStaging.PREFIX)).toList();
        }
    }

    @Test
    void aRestoreBringsEveryProofBackByteEqualAndIsRecorded() throws Exception {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("restore").whenCompleted(1).create();
        Exchange ex = restore(false);
        assertThat(ex.getException()).isNull();
        assertThat(done.matches(60, TimeUnit.SECONDS)).isTrue();
        Map<String, String> proofs = tree(layout().proofDir());
        assertThat(proofs).hasSizeGreaterThan(30);
        assertThat(tree(target.resolve("proof"))).isEqualTo(proofs);
        assertThat(Files.isRegularFile(target.resolve("data/ledger.db")) || Files.isDirectory(target.resolve("data"))).isTrue();
        assertThat(catalog().runs("restore")).extracting(Catalog.RunRow::outcome).containsExactly("ok");
        assertThat(staging()).isEmpty();
        assertThat(alertLines()).isEmpty();
    }

    @Test
    void aDryRunStopsBeforeTheSwapAndLeavesNoStaging() throws Exception {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("restore").whenCompleted(1).create();
        Exchange ex = restore(true);
        assertThat(ex.getException()).isNull();
        assertThat(done.matches(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ex.getMessage().getBody(RestoreJob.class).swapped).as("swapped").isNull();
        assertThat(target).doesNotExist();
        assertThat(staging()).isEmpty();
    }

    @Test
    void aDamagedArchiveFailsTheRunOnceAndLeavesTheTargetAsItWas() throws Exception {
        Path archive = layout().archiveDir().resolve(archives().get(0));
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x5a);
        }
        Exchange ex = restore(false);
        assertThat(ex.getException()).isNotNull();
        assertThat(catalog().runs("restore")).extracting(Catalog.RunRow::outcome).containsExactly("failed");
        assertThat(alertLines()).singleElement().asString().contains("restore");
        assertThat(target).doesNotExist();
        assertThat(staging()).isEmpty();
    }

    @Test
    void aSwapThatFailsDiscardsTheStagingAndTouchesNothing() throws Exception {
        Files.createDirectories(target.resolve("proof"));
        Files.writeString(target.resolve("proof/kept.txt"), "what was here");
        AdviceWith.adviceWith(context, "restore", a -> a.weaveByToString(".*swapRestore.*").replace()
                .throwException(new IOException("Input/output error")));
        Exchange ex = restore(false);
        assertThat(ex.getException()).hasMessage("Input/output error");
        assertThat(tree(target)).containsOnlyKeys("proof/kept.txt");
        assertThat(staging()).isEmpty();
        assertThat(catalog().runs("restore")).extracting(Catalog.RunRow::outcome).containsExactly("failed");
        assertThat(alertLines()).singleElement().asString().contains("Input/output error");
    }
}
