package io.qontrek.factorydr.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
    @TempDir Path dir;

    @Test
    void fromEnvironment() {
        Secrets s = new Secrets(Map.of("ARCHIVE_ENCRYPTION_KEY", "k1"));
        assertThat(new String(s.archiveKey(), StandardCharsets.UTF_8)).isEqualTo("k1");
    }

    @Test
    void fromFileWithTrailingNewlineTrimmed() throws Exception {
        Path f = dir.resolve("key");
        Files.writeString(f, "s3cr3t value\r\n\n");
        Secrets s = new Secrets(Map.of("FACTORY_SIGNING_SECRET_FILE", f.toString()));
        assertThat(new String(s.signingSecret(), StandardCharsets.UTF_8)).isEqualTo("s3cr3t value");
    }

    @Test
    void missingSecretNamesTheVariableNotAValue() {
        Secrets s = new Secrets(Map.of("TOWER_SIGNING_SECRET", "tower-value"));
        assertThatThrownBy(s::archiveKey).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ARCHIVE_ENCRYPTION_KEY is not set")
                .hasMessageContaining("ARCHIVE_ENCRYPTION_KEY_FILE");
        assertThat(s.toString()).doesNotContain("tower-value");
    }

    @Test
    void unreadableOrEmptyFileIsAUsageError() throws Exception {
        assertThatThrownBy(() -> new Secrets(Map.of("ARCHIVE_ENCRYPTION_KEY_FILE", dir.resolve("nope").toString())).archiveKey())
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> new Secrets(Map.of("ARCHIVE_ENCRYPTION_KEY_FILE", empty.toString())).archiveKey())
                .isInstanceOf(ConfigException.class).hasMessageContaining("is empty");
    }
}
