package io.qontrek.factorydr.offsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Settings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsiteSettingsTest {
    @TempDir Path dir;

    /** The embedded defaults and this environment only. */
    private OffsiteSettings load(Map<String, String> env) {
        try {
            Path empty = java.nio.file.Files.writeString(dir.resolve("empty.properties"), "");
            return OffsiteSettings.from(Settings.load(empty, env, Map.of()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void defaultsAreAwsWithTheContractsBucketAndPrefix() {
        OffsiteSettings s = load(Map.of());
        assertThat(s.enabled()).isFalse();
        assertThat(s.bucket()).isEqualTo("qontrek-backups");
        assertThat(s.key("full/x.tar.gz.enc")).isEqualTo("factory-runtime/full/x.tar.gz.enc");
        assertThat(s.pathStyle()).isFalse();
        assertThat(s.partSizeBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(s.where()).isEqualTo("bucket qontrek-backups at endpoint AWS S3 (us-east-1)");
    }

    @Test
    void anEndpointMeansPathStyleAndThePrefixGetsItsSlash() {
        OffsiteSettings s = load(Map.of("FACTORY_S3_ENDPOINT", "http://minio:9000", "FACTORY_S3_PREFIX", "/site-a"));
        assertThat(s.pathStyle()).isTrue();
        assertThat(s.key("proof/2025-10-23.tar.gz.enc")).isEqualTo("site-a/proof/2025-10-23.tar.gz.enc");
        assertThat(load(Map.of("FACTORY_S3_PREFIX", "")).key("a")).isEqualTo("a");
    }

    @Test
    void kmsReadsBackBecauseItsEtagsAreNotContentHashes() {
        OffsiteSettings s = load(Map.of("FACTORY_S3_SSE", "aws:kms", "FACTORY_S3_KMS_KEY_ID", "alias/backups"));
        assertThat(s.readback()).isTrue();
        assertThatThrownBy(() -> load(Map.of("FACTORY_S3_SSE", "aws:kms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("factory.s3.kms-key-id");
    }

    @Test
    void badValuesNameTheProperty() {
        assertThatThrownBy(() -> load(Map.of("FACTORY_S3_BUCKET", "Bad_Bucket"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("factory.s3.bucket='Bad_Bucket'").hasMessageContaining("FACTORY_S3_BUCKET");
        assertThatThrownBy(() -> load(Map.of("FACTORY_S3_PART_SIZE_MB", "4"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("factory.s3.part-size-mb");
        assertThatThrownBy(() -> load(Map.of("FACTORY_S3_SSE", "yes"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("none, AES256 or aws:kms");
        assertThatThrownBy(() -> load(Map.of("FACTORY_S3_ENDPOINT", "minio:9000"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("factory.s3.endpoint");
    }
}
