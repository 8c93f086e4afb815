package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSelectionTest {
    @TempDir Path config;

    private final ConfigSelection selection = new ConfigSelection(
            List.of("secret", "private_key", "password", "token", "key_material", "seed"),
            List.of("tower-signing-value".getBytes(StandardCharsets.UTF_8)));

    @Test
    void keyRegistryKeepsMetadataAndLosesSecretFieldsAtAnyDepth() throws Exception {
        String live = """
                {"keys": [
                  {"key_id": "k1", "purpose": "archive", "algorithm": "aes-256", "created_at": "2025-10-01T00:00:00Z",
                   "status": "active", "fingerprint": "ab12", "Secret": "hunter2",
                   "material": {"key_material": "zzz", "format": "raw", "nested": [{"Client_Token": "t0k"}]}},
                  {"key_id": "k2", "purpose": "tower", "algorithm": "hmac", "created_at": "2025-10-01T00:00:00Z",
                   "status": "retired", "fingerprint": "cd34", "private_key": "-----BEGIN", "seed_phrase": "a b c"}
                ]}""";
        Files.writeString(config.resolve("key_registry.json"), live);

        ConfigSelection.Selection s = selection.select(config);

        assertThat(s.redacted()).containsExactly("config/key_registry.json");
        assertThat(Files.readString(config.resolve("key_registry.json"))).isEqualTo(live); // live file untouched
        BackupSet.Entry e = s.entries().get(0);
        JsonNode kept = new ObjectMapper().readTree(e.bytes());
        String text = kept.toString();
        assertThat(text).doesNotContain("hunter2", "zzz", "t0k", "-----BEGIN", "a b c");
        assertThat(kept.at("/keys/0/fingerprint").asText()).isEqualTo("ab12");
        assertThat(kept.at("/keys/0/material/format").asText()).isEqualTo("raw");
        assertThat(kept.at("/keys/1/status").asText()).isEqualTo("retired");
        assertThat(kept.at("/keys/1").has("seed_phrase")).isFalse();
    }

    @Test
    void filesThatHoldSecretsAreSkippedAndNamed() throws Exception {
        Files.createDirectories(config.resolve("tls"));
        Files.createDirectories(config.resolve("governance"));
        Files.writeString(config.resolve("tls/server.key"), "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
        Files.writeString(config.resolve("tls/server.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        Files.writeString(config.resolve(".env"), "A=1\n");
        Files.writeString(config.resolve("prod.env"), "A=1\n");
        Files.writeString(config.resolve("webhook-Secret.txt"), "x\n");
        Files.writeString(config.resolve("governance/policy.yaml"), "gates: []\n");
        Files.writeString(config.resolve("governance/leaky.yaml"), "tower: tower-signing-value\n");

        ConfigSelection.Selection s = selection.select(config);

        assertThat(s.skipped()).containsExactlyInAnyOrder("config/tls/server.key", "config/.env", "config/prod.env",
                "config/webhook-Secret.txt", "config/governance/leaky.yaml");
        assertThat(s.entries()).extracting(BackupSet.Entry::path)
                .containsExactly("config/governance/policy.yaml", "config/tls/server.crt");
    }
}
