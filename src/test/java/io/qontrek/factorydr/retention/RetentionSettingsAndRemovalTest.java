package io.qontrek.factorydr.retention;

import io.qontrek.factorydr.camel.SettingsCheck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention properties are validated at start-up; local removal takes an archive and its sidecars, and nothing else. */
class RetentionSettingsAndRemovalTest {
    @TempDir Path dir;

    @Test
    void defaultsAreTheRunbooksAndBadValuesNameTheProperty() {
        assertThat(RetentionPolicy.from(SettingsCheck.validate(Settings.load(null, Map.of(), Map.of())))).isEqualTo(RetentionPolicy.runbook());
        assertThat(RetentionPolicy.from(SettingsCheck.validate(Settings.load(null, Map.of("FACTORY_RETENTION_FULL_DAYS", "14",
                "FACTORY_RETENTION_PRUNE_RUNTIME_LOGS", "true"), Map.of())))).isEqualTo(new RetentionPolicy(90, 14, 7, true));
        assertThatThrownBy(() -> SettingsCheck.validate(Settings.load(null, Map.of("FACTORY_RETENTION_PROOF_DAYS", "0"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("invalid factory.retention.proof-days='0'");
        assertThatThrownBy(() -> SettingsCheck.validate(Settings.load(null, Map.of("FACTORY_RETENTION_LOGS_DAYS", "a week"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("factory.retention.logs-days='a week'");
        assertThatThrownBy(() -> SettingsCheck.validate(Settings.load(null, Map.of("FACTORY_RETENTION_PRUNE_RUNTIME_LOGS", "yes"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("factory.retention.prune-runtime-logs='yes'");
    }

    @Test
    void removesTheArchiveAndItsSidecarsAndToleratesWhatIsAlreadyGone() throws Exception {
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("1.tar.gz.enc"), "archive");
        Files.writeString(full.resolve("1.tar.gz.enc.sha256"), "sum");
        Files.writeString(full.resolve("1.tar.gz.enc.manifest.json"), "{}");
        Files.write(full.resolve("1.tar.gz.enc.manifest.json.sig"), new byte[64]);
        Files.writeString(full.resolve("2.tar.gz.enc"), "another");
        List<ArchiveRemoval.Removed> removed = ArchiveRemoval.remove(dir, "full/1.tar.gz.enc");
        assertThat(removed).extracting(r -> r.file().getFileName().toString())
                .containsExactly("1.tar.gz.enc", "1.tar.gz.enc.sha256", "1.tar.gz.enc.manifest.json", "1.tar.gz.enc.manifest.json.sig");
        assertThat(removed).extracting(ArchiveRemoval.Removed::size).containsExactly(7L, 3L, 2L, 64L);
        try (var s = Files.list(full)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("2.tar.gz.enc");
        }
        // a removal interrupted after the archive went: the next one finishes the sidecars
        Files.writeString(full.resolve("2.tar.gz.enc.manifest.json"), "{}");
        Files.delete(full.resolve("2.tar.gz.enc"));
        assertThat(ArchiveRemoval.remove(dir, "full/2.tar.gz.enc")).hasSize(1);
        assertThat(ArchiveRemoval.remove(dir, "full/2.tar.gz.enc")).isEmpty();
    }

    @Test
    void refusesAnythingButAnArchiveInTheArchiveSubdirectories() throws Exception {
        Path proofs = Files.createDirectories(dir.resolve("recovery-proofs"));
        Files.writeString(proofs.resolve("drill.tar.gz.enc"), "forever");
        for (String name : List.of("recovery-proofs/drill.tar.gz.enc", "../outside.tar.gz.enc", "full/../../x.tar.gz.enc",
                "catalog.db", "full/1.json", "full/sub/1.tar.gz.enc", "")) {
            assertThatThrownBy(() -> ArchiveRemoval.remove(dir, name)).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(proofs.resolve("drill.tar.gz.enc")).exists();
    }

    @Test
    void runtimeLogsOlderThanTheThresholdAreFoundOnlyDirectlyInLogs() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path alerts = Files.createDirectories(logs.resolve("alerts"));
        LocalDate asOf = LocalDate.of(2025, 10, 20);
        Path old = logs.resolve("runtime.log");
        Path young = logs.resolve("api.log");
        Path notALog = logs.resolve("state.json");
        Path alert = alerts.resolve("alerts-2025-10-01.log");
        for (Path p : List.of(old, young, notALog, alert)) Files.writeString(p, "x");
        for (Path p : List.of(old, notALog, alert)) Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2025-10-12T10:00:00Z")));
        Files.setLastModifiedTime(young, FileTime.from(Instant.parse("2025-10-13T10:00:00Z")));
        assertThat(RuntimeLogs.expired(logs, asOf, 7)).containsExactly(old);
        assertThat(RuntimeLogs.expired(dir.resolve("absent"), asOf, 7)).isEmpty();
        // logs/ a link to where the logs really are (/var/log/factory, say): the same files, named through the link
        Path linked = Files.createSymbolicLink(dir.resolve("logs-link"), logs);
        assertThat(RuntimeLogs.expired(linked, asOf, 7)).containsExactly(linked.resolve("runtime.log"));
    }
}
