package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.common.Hashes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
    private static final byte[] SECRET = "factory signing secret".getBytes(StandardCharsets.UTF_8);
    private static final String H1 = Hashes.sha256Hex("one");
    private static final String H2 = Hashes.sha256Hex("two");

    static Manifest sample() {
        return Manifest.unsealed("full-20251026T030000Z", Manifest.Type.FULL, Instant.parse("2025-10-26T03:00:00Z"), null,
                List.of(new FileRecord("proof/proof-000000000001.json", 123, H1), new FileRecord("config/key_registry.json", 45, H2)),
                new Manifest.ProofHead(199, H1), new Manifest.LedgerHead(500, H2),
                List.of("config/key_registry.json"), List.of("config/tls/server.key"));
    }

    @Test
    void jsonUsesTheContractsKeysInItsOrder() {
        Manifest m = sample().withArchive("full/20251026T030000Z.tar.gz.enc", 1234, H2);
        ObjectNode json = m.toJson(true);
        assertThat(json.fieldNames()).toIterable().containsExactly("schema", "backup_id", "type", "created_at", "base", "files",
                "proof_head", "ledger_head", "redacted", "skipped", "archive", "signature");
        assertThat(json.get("schema").asText()).isEqualTo("factory.manifest.v1");
        assertThat(json.get("created_at").asText()).isEqualTo("2025-10-26T03:00:00Z");
        assertThat(json.get("base").isNull()).isTrue();
        assertThat(json.get("files").get(0).fieldNames()).toIterable().containsExactly("path", "size", "sha256");
        assertThat(json.get("proof_head").fieldNames()).toIterable().containsExactly("seq", "merkle_root");
        assertThat(json.get("ledger_head").fieldNames()).toIterable().containsExactly("seq", "entry_hash");
        assertThat(json.get("archive").fieldNames()).toIterable().containsExactly("name", "size", "sha256");
        assertThat(sample().toJson(false).has("archive")).isFalse();
        assertThat(sample().toJson(false).has("signature")).isFalse();
    }

    @Test
    void parseIsTheInverseOfBothForms() throws Exception {
        Manifest inTar = sample();
        assertThat(Manifest.parse(CanonicalJson.bytes(inTar.toJson(false)))).isEqualTo(inTar);
        Manifest sealed = inTar.withArchive("full/20251026T030000Z.tar.gz.enc", 1234, H2);
        Manifest signed = sealed.withSignature(ManifestSignature.sign(sealed, SECRET));
        assertThat(Manifest.parse(signed.toPrettyJson())).isEqualTo(signed);
        Manifest incremental = new Manifest("incremental-20251026T040000Z", Manifest.Type.INCREMENTAL, Instant.parse("2025-10-26T04:00:00Z"),
                "full-20251026T030000Z", List.of(), null, null, List.of(), List.of(), null, null);
        assertThat(Manifest.parse(CanonicalJson.bytes(incremental.toJson(false)))).isEqualTo(incremental);
    }

    @Test
    void signatureIsHmacOfTheCanonicalJsonWithoutSignature() throws Exception {
        Manifest sealed = sample().withArchive("full/20251026T030000Z.tar.gz.enc", 1234, H2);
        String signature = ManifestSignature.sign(sealed, SECRET);
        ObjectNode unsigned = sealed.toJson(true);
        unsigned.remove("signature");
        String canonical = CanonicalJson.string(unsigned);
        assertThat(canonical).startsWith("{\"archive\":{\"name\":\"full/20251026T030000Z.tar.gz.enc\",\"sha256\":\"" + H2 + "\",\"size\":1234},");
        assertThat(signature).isEqualTo(Hashes.hmacSha256Hex("factory signing secret", canonical));

        Manifest signed = sealed.withSignature(signature);
        assertThat(ManifestSignature.verify(signed, SECRET)).isTrue();
        assertThat(ManifestSignature.verify(signed, "another secret".getBytes())).isFalse();
        assertThat(ManifestSignature.verify(sealed, SECRET)).as("unsigned").isFalse();
        Manifest tampered = signed.withArchive("full/20251026T030000Z.tar.gz.enc", 1235, H2).withSignature(signature);
        assertThat(ManifestSignature.verify(tampered, SECRET)).isFalse();
        assertThatThrownBy(() -> ManifestSignature.sign(sample(), SECRET)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void parseRefusesWhatItCouldNotReproduceExactly() throws Exception {
        String good = CanonicalJson.string(sample().toJson(false));
        assertThatThrownBy(() -> Manifest.parse(good.replace("{\"backup_id\"", "{\"extra\":1,\"backup_id\"").getBytes()))
                .isInstanceOf(ArchiveException.class).hasMessage("manifest: unknown field 'extra'");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"base\":null,", "").getBytes()))
                .hasMessage("manifest: missing field 'base'");
        assertThatThrownBy(() -> Manifest.parse(good.replace("{\"backup_id\"", "{\"base\":\"x\",\"backup_id\"").getBytes()))
                .hasMessageStartingWith("manifest is not valid JSON: Duplicate field 'base'");
        assertThatThrownBy(() -> Manifest.parse(good.replace("2025-10-26T03:00:00Z", "2025-10-26T03:00:00.000Z").getBytes()))
                .hasMessageContaining("created_at");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"full\"", "\"weekly\"").getBytes()))
                .hasMessageContaining("type 'weekly'");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"size\":123", "\"size\":123.5").getBytes()))
                .hasMessage("manifest: field 'size' is not an integer");
        assertThatThrownBy(() -> Manifest.parse(good.replace("proof/proof-000000000001.json", "../etc/passwd").getBytes()))
                .hasMessageContaining("'..'");
        assertThatThrownBy(() -> Manifest.parse("[]".getBytes())).hasMessage("manifest is not a JSON object");
    }
}
