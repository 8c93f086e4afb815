package io.qontrek.factorydr.config;

import io.qontrek.factorydr.camel.SettingsCheck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir Path dir;

    @Test
    void fileThenEnvironmentThenCommandLine() throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "factory.s3.bucket=from-file\nfactory.s3.prefix=p/\nfactory.root=/from-file\n");
        Settings s = Settings.load(file, Map.of("FACTORY_S3_BUCKET", "from-env", "FACTORY_ROOT", "/from-env"),
                Map.of("factory.root", "/from-cli"));
        assertThat(s.get("factory.s3.bucket")).isEqualTo("from-env");
        assertThat(s.get("factory.s3.prefix")).isEqualTo("p/");
        assertThat(s.get("factory.root")).isEqualTo("/from-cli");
        assertThat(s.origin("factory.s3.bucket")).isEqualTo("environment variable FACTORY_S3_BUCKET");
        // keys the file does not name keep their embedded defaults
        assertThat(s.get("factory.backup.logs-max-age-hours")).isEqualTo("48");
    }

    @Test
    void portVariablesAreReadDespiteCamelIgnoringThem() {
        Settings s = Settings.load(null,
                Map.of("FACTORY_HTTP_PORT", "3123", "FACTORY_JMX_PORT", "19999"), Map.of());
        assertThat(s.getInt("factory.http.port", 1, 65535)).isEqualTo(3123);
        assertThat(s.getPort("factory.jmx.port")).isEqualTo(19999);
    }

    @Test
    void badValueNamesPropertyValueAndOrigin() {
        Settings s = Settings.load(null, Map.of("FACTORY_BACKUP_LOGS_MAX_AGE_HOURS", "two days"), Map.of());
        assertThatThrownBy(() -> SettingsCheck.validate(s))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid factory.backup.logs-max-age-hours='two days' (from environment variable "
                        + "FACTORY_BACKUP_LOGS_MAX_AGE_HOURS): expected a whole number from 1 to 8760");
    }

    @Test
    void badBooleanAndPortAreRefused() {
        assertThatThrownBy(() -> SettingsCheck.validate(Settings.load(null, Map.of("FACTORY_S3_ENABLED", "yes"), Map.of())))
                .hasMessageContaining("factory.s3.enabled='yes'").hasMessageContaining("true or false");
        assertThatThrownBy(() -> SettingsCheck.validate(Settings.load(null, Map.of("FACTORY_HTTP_PORT", "70000"), Map.of())))
                .hasMessageContaining("factory.http.port='70000'");
    }

    @Test
    void explicitConfigFileMustExist() {
        assertThatThrownBy(() -> Settings.load(dir.resolve("missing.properties"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing.properties does not exist");
    }

    @Test
    void layoutDefaultsUnderRootAndMovesEachDirectoryOnItsOwn() {
        Settings s = Settings.load(null, Map.of("FACTORY_ROOT", dir.toString(), "FACTORY_ARCHIVE_DIR", "/srv/archive"), Map.of());
        RuntimeLayout l = RuntimeLayout.of(s);
        assertThat(l.proofDir()).isEqualTo(dir.resolve("proof"));
        assertThat(l.ledgerDb()).isEqualTo(dir.resolve("data/federation_ledger.db"));
        assertThat(l.archiveDir()).isEqualTo(Path.of("/srv/archive"));
        assertThat(l.catalogDb()).isEqualTo(Path.of("/srv/archive/catalog.db"));
    }

    @Test
    void missingRuntimeDirectoryIsAUsageError() {
        RuntimeLayout l = RuntimeLayout.under(dir.resolve("nowhere"), dir.resolve("archive"));
        assertThatThrownBy(l::requireRuntime).isInstanceOf(ConfigException.class)
                .hasMessageContaining("proof directory").hasMessageContaining("does not exist");
    }
}
