package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.config.RuntimeLayout;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Writes config/ of a sample runtime: the key registry (metadata next to secret fields), governance
 * and alert rules, and the files a backup must leave out (a TLS private key, a .env, a webhook
 * secret). Every secret value is random and returned, so tests can prove none reaches an archive.
 */
final class SampleConfig {
    record Result(long files, Map<String, String> plantedSecrets, List<String> secretFiles) {}

    private final RuntimeLayout layout;
    private final Path root;
    private final SampleRuntime.Options options;
    private final RandomGenerator random;
    private final Progress progress;
    private final Map<String, String> planted = new LinkedHashMap<>();
    private final List<String> secretFiles = new ArrayList<>();
    private long files;

    SampleConfig(Path root, RuntimeLayout layout, SampleRuntime.Options options, RandomGenerator random,
                 Progress progress) {
        this.root = root;
        this.layout = layout;
        this.options = options;
        this.random = random;
        this.progress = progress;
    }

    Result write() throws IOException {
        Path config = layout.configDir();
        writeKeyRegistry();
        write(config.resolve("governance/policy.yaml"), POLICY_YAML);
        write(config.resolve("governance/gates.json"), GATES_JSON);
        write(config.resolve("alerts/rules.yaml"), ALERT_RULES_YAML);
        write(config.resolve("tls/server.crt"), pem("CERTIFICATE", 900));

        String keyPem = pem("PRIVATE KEY", 1218);
        secret(config.resolve("tls/server.key"), keyPem);
        planted.put("config/tls/server.key first line of the key", keyPem.lines().skip(1).findFirst().orElseThrow());

        String archiveKey = plant("config/.env ARCHIVE_ENCRYPTION_KEY", base64(32));
        String factorySecret = plant("config/.env FACTORY_SIGNING_SECRET", base64(32));
        planted.put("config/.env TOWER_SIGNING_SECRET", options.towerSecret());
        secret(config.resolve(".env"), "# factory runtime secrets: read by the services at start-up\n"
                + "ARCHIVE_ENCRYPTION_KEY=" + archiveKey + "\n"
                + "FACTORY_SIGNING_SECRET=" + factorySecret + "\n"
                + "TOWER_SIGNING_SECRET=" + options.towerSecret() + "\n"
                + "FACTORY_HTTP_PORT=3000\n");

        String webhook = plant("config/webhook-secret.txt", "whsec_" + base64(24));
        secret(config.resolve("webhook-secret.txt"), webhook + "\n");
        return new Result(files, Collections.unmodifiableMap(new LinkedHashMap<>(planted)), List.copyOf(secretFiles));
    }

    private void writeKeyRegistry() throws IOException {
        Instant end = options.end();
        String towerSecret = options.towerSecret();
        planted.put("config/key_registry.json keys[0].secret", towerSecret);
        String privateKey = plant("config/key_registry.json keys[1].private_key", base64(32));
        String keyMaterial = plant("config/key_registry.json keys[2].material.key_material", hex(32));
        String token = plant("config/key_registry.json keys[3].token", "tat_" + base64(24));

        List<Map<String, Object>> keys = List.of(
                key("tower-signing-2025", "tower-receipt", "HMAC-SHA256", end.minusSeconds(86_400L * 90), "active",
                        towerSecret, "secret", towerSecret),
                key("federation-ed25519-2025", "federation-batch-signing", "Ed25519",
                        end.minusSeconds(86_400L * 60), "active", privateKey, "private_key", privateKey),
                key("archive-aes-2025", "archive-encryption", "AES-256-CBC+PBKDF2", end.minusSeconds(86_400L * 45),
                        "active", keyMaterial, "material",
                        map("format", "hex", "key_material", keyMaterial, "iterations", 10_000)),
                key("tower-api-2024", "tower-api", "bearer", end.minusSeconds(86_400L * 400), "retired",
                        token, "token", token));
        write(layout.keyRegistry(), new String(RuntimeJson.writeValue(map("keys", keys)), StandardCharsets.UTF_8));
    }

    private static Map<String, Object> key(String id, String purpose, String algorithm, Instant created, String status,
                                           String secretValue, String secretField, Object secretFieldValue) {
        Map<String, Object> key = map("key_id", id, "purpose", purpose, "algorithm", algorithm,
                "created_at", created.toString(), "status", status,
                // A fingerprint names the key without revealing it: a hash of the secret.
                "fingerprint", "sha256:" + Hashes.sha256Hex(secretValue));
        key.put(secretField, secretFieldValue);
        return key;
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private String plant(String where, String value) {
        planted.put(where, value);
        return value;
    }

    private void secret(Path file, String text) throws IOException {
        write(file, text);
        secretFiles.add(root.relativize(file).toString().replace('\\', '/'));
    }

    private void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Files.write(file, bytes);
        files++;
        progress.wrote(1, bytes.length);
    }

    private String pem(String type, int bodyBytes) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes(bodyBytes));
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private String base64(int n) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes(n));
    }

    private String hex(int n) {
        return Hex.encode(bytes(n));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static final String POLICY_YAML = """
            # Governance policy of the factory runtime: what must hold before the runtime accepts work.
            version: 1
            policy:
              name: factory-runtime-governance
              rpo_minutes: 60
              rto_minutes: 30
              proof_chain:
                require_continuous: true
                require_tower_receipts: true
              federation:
                anti_replay: true
                max_clock_skew_seconds: 120
              backups:
                full_max_age_days: 7
                incremental_max_age_minutes: 60
                offsite_required: true
              drills:
                max_age_days: 92
            """;

    private static final String GATES_JSON = """
            {
              "gates": [
                {"name": "proof_chain_continuous", "required": true, "detail": "no missing seq, every root recomputes"},
                {"name": "tower_receipts_valid", "required": true, "detail": "every receipt verifies"},
                {"name": "last_incremental_within_rpo", "required": true, "threshold_minutes": 60},
                {"name": "last_full_within_7_days", "required": true, "threshold_days": 7},
                {"name": "offsite_copy_present", "required": true},
                {"name": "no_panic_flag", "required": true},
                {"name": "drill_within_quarter", "required": false, "threshold_days": 92}
              ]
            }
            """;

    private static final String ALERT_RULES_YAML = """
            # Alert rules: evaluated every minute by the alerting service.
            rules:
              - name: proof-chain-break
                expr: proof_chain_breaks_total > 0
                severity: critical
                notify: [pagerduty, webhook]
              - name: backup-stale
                expr: time() - last_backup_success_timestamp > 7200
                severity: warning
                notify: [webhook]
              - name: federation-replay-rejected
                expr: increase(federation_replay_rejected_total[5m]) > 0
                severity: warning
                notify: [webhook]
              - name: panic-mode
                expr: atlas_panic == 1
                severity: critical
                notify: [pagerduty, webhook]
            """;
}
