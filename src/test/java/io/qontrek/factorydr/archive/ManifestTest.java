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

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * The contract's JSON as a tree, keys in the contract's order: the plain rendering the streamed
     * forms ({@link ManifestJson}) replaced, kept here as their reference.
     */
    static ObjectNode tree(Manifest m, boolean withArchiveAndSignature) {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", Manifest.SCHEMA);
        o.put("backup_id", m.backupId());
        o.put("type", m.type().wire());
        o.put("created_at", java.time.format.DateTimeFormatter.ISO_INSTANT.format(m.createdAt()));
        o.put("base", m.base());
        var files = o.putArray("files");
        for (FileRecord f : m.files()) {
            ObjectNode x = files.addObject().put("path", f.path()).put("size", f.size()).put("sha256", f.sha256());
            if (f.attributes() != null) {
                x.put("mode", String.format("%04o", f.attributes().mode()))
                        .put("mtime", java.time.format.DateTimeFormatter.ISO_INSTANT.format(f.attributes().mtime()))
                        .put("uid", f.attributes().uid()).put("gid", f.attributes().gid());
            }
        }
        if (m.proofHead() == null) o.putNull("proof_head");
        else o.putObject("proof_head").put("seq", m.proofHead().seq()).put("merkle_root", m.proofHead().merkleRoot());
        if (m.ledgerHead() == null) o.putNull("ledger_head");
        else o.putObject("ledger_head").put("seq", m.ledgerHead().seq()).put("entry_hash", m.ledgerHead().entryHash());
        if (m.databases() != null) {
            var dbs = o.putArray("databases");
            for (Manifest.Database d : m.databases()) {
                ObjectNode x = dbs.addObject().put("name", d.name()).put("form", d.form().wire()).put("path", d.path()).put("rows", d.rows());
                head(x, "base", d.base());
                head(x, "head", d.head());
                x.put("why", d.why());
            }
        }
        m.redacted().forEach(o.putArray("redacted")::add);
        m.skipped().forEach(o.putArray("skipped")::add);
        if (m.tripwires() != null) m.tripwires().forEach(o.putArray("tripwires")::add);
        if (withArchiveAndSignature) {
            if (m.archive() == null) o.putNull("archive");
            else o.putObject("archive").put("name", m.archive().name()).put("size", m.archive().size()).put("sha256", m.archive().sha256());
            o.put("signature", m.signature());
        }
        return o;
    }

    private static void head(ObjectNode o, String name, Manifest.TableHead h) {
        if (h == null) o.putNull(name);
        else o.putObject(name).put("rowid", h.rowid()).put("rows", h.rows()).put("last_row_sha256", h.lastRowSha256());
    }

    /** An incremental naming its databases' deltas and a tripwire, as written since issue #13. */
    static Manifest incrementalWithDatabases() {
        Manifest.TableHead base = new Manifest.TableHead(400, 400, H1);
        Manifest.TableHead head = new Manifest.TableHead(700, 700, H2);
        return Manifest.unsealed("incremental-20251026T040000Z", Manifest.Type.INCREMENTAL, Instant.parse("2025-10-26T04:00:00Z"),
                "full-20251026T030000Z", List.of(new FileRecord("data/federation_ledger.delta.db", 8192, H1)), null,
                new Manifest.LedgerHead(700, H2), List.of(), List.of())
                .withDatabases(List.of(
                        new Manifest.Database("federation_ledger", Manifest.Database.Form.DELTA, "data/federation_ledger.delta.db", 300, base, head, null),
                        new Manifest.Database("nonce_store", Manifest.Database.Form.WHOLE, "data/nonce_store.db", 0, base,
                                Manifest.TableHead.EMPTY, "nonces holds 0 rows up to rowid 400 where its base held 400")))
                .withTripwires(List.of("ledger head seq 700 is below the previous backup's 800"));
    }

    @Test
    void databasesAndTripwiresRoundTripInBothForms_andOlderManifestsHaveNeither() throws Exception {
        Manifest m = incrementalWithDatabases();
        assertThat(Manifest.parse(m.inTarJson())).isEqualTo(m);
        Manifest sealed = m.withArchive("incremental/20251026T040000Z.tar.gz.enc", 99, H1);
        Manifest signed = sealed.withSignature(ManifestSignature.sign(sealed, SECRET));
        assertThat(Manifest.parse(signed.toPrettyJson())).isEqualTo(signed);
        assertThat(ManifestSignature.verify(Manifest.parse(signed.toPrettyJson()), SECRET)).isTrue();
        // byte for byte the tree renderings
        assertThat(ManifestJson.canonical(signed, ManifestJson.Form.IN_TAR)).isEqualTo(CanonicalJson.bytes(tree(signed, false)));
        assertThat(new String(ManifestJson.pretty(signed), StandardCharsets.UTF_8))
                .isEqualTo(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree(signed, true)) + "\n");
        ObjectNode json = (ObjectNode) JSON.readTree(ManifestJson.pretty(signed));
        assertThat(json.fieldNames()).toIterable().containsExactly("schema", "backup_id", "type", "created_at", "base", "files",
                "proof_head", "ledger_head", "databases", "redacted", "skipped", "tripwires", "archive", "signature");
        // a manifest written before these members: parses without them and writes back the same bytes
        String older = new String(sample().inTarJson(), StandardCharsets.UTF_8);
        assertThat(older).doesNotContain("databases").doesNotContain("tripwires");
        Manifest parsed = Manifest.parse(older.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.databases()).isNull();
        assertThat(parsed.tripwires()).isNull();
        assertThat(new String(parsed.inTarJson(), StandardCharsets.UTF_8)).isEqualTo(older);
    }

    @Test
    void aDatabaseEntryThatContradictsItselfIsRefused() {
        String good = new String(incrementalWithDatabases().inTarJson(), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"path\":\"data/federation_ledger.delta.db\",\"rows\":300",
                "\"path\":\"data/../x.db\",\"rows\":300").getBytes()))
                .hasMessageContaining("must be at data/federation_ledger.delta.db");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"form\":\"delta\"", "\"form\":\"diff\"").getBytes()))
                .hasMessageContaining("database form 'diff' is not whole or delta");
        assertThatThrownBy(() -> Manifest.parse(good.replaceFirst("\"base\":\\{[^}]*\\},\"form\":\"delta\"", "\"base\":null,\"form\":\"delta\"").getBytes()))
                .hasMessageContaining("a delta needs its base head");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"why\":null", "\"why\":null,\"extra\":1").getBytes()))
                .hasMessageContaining("unknown field 'extra' in databases");
    }

    static Manifest sample() {
        return Manifest.unsealed("full-20251026T030000Z", Manifest.Type.FULL, Instant.parse("2025-10-26T03:00:00Z"), null,
                List.of(new FileRecord("proof/proof-000000000001.json", 123, H1), new FileRecord("config/key_registry.json", 45, H2)),
                new Manifest.ProofHead(199, H1), new Manifest.LedgerHead(500, H2),
                List.of("config/key_registry.json"), List.of("config/tls/server.key"));
    }

    @Test
    void jsonUsesTheContractsKeysInItsOrder() throws Exception {
        Manifest m = sample().withArchive("full/20251026T030000Z.tar.gz.enc", 1234, H2);
        ObjectNode json = (ObjectNode) JSON.readTree(ManifestJson.pretty(m));
        assertThat(json.fieldNames()).toIterable().containsExactly("schema", "backup_id", "type", "created_at", "base", "files",
                "proof_head", "ledger_head", "redacted", "skipped", "archive", "signature");
        assertThat(json.get("schema").asText()).isEqualTo("factory.manifest.v1");
        assertThat(json.get("created_at").asText()).isEqualTo("2025-10-26T03:00:00Z");
        assertThat(json.get("base").isNull()).isTrue();
        assertThat(json.get("files").get(0).fieldNames()).toIterable().containsExactly("path", "size", "sha256");
        assertThat(json.get("proof_head").fieldNames()).toIterable().containsExactly("seq", "merkle_root");
        assertThat(json.get("ledger_head").fieldNames()).toIterable().containsExactly("seq", "entry_hash");
        assertThat(json.get("archive").fieldNames()).toIterable().containsExactly("name", "size", "sha256");
        assertThat(JSON.readTree(sample().inTarJson()).has("archive")).isFalse();
        assertThat(JSON.readTree(sample().inTarJson()).has("signature")).isFalse();
    }

    @Test
    void parseIsTheInverseOfBothForms() throws Exception {
        Manifest inTar = sample();
        assertThat(Manifest.parse(inTar.inTarJson())).isEqualTo(inTar);
        Manifest sealed = inTar.withArchive("full/20251026T030000Z.tar.gz.enc", 1234, H2);
        Manifest signed = sealed.withSignature(ManifestSignature.sign(sealed, SECRET));
        assertThat(Manifest.parse(signed.toPrettyJson())).isEqualTo(signed);
        Manifest incremental = new Manifest("incremental-20251026T040000Z", Manifest.Type.INCREMENTAL, Instant.parse("2025-10-26T04:00:00Z"),
                "full-20251026T030000Z", FileList.of(List.of()), null, null, List.of(), List.of(), null, null);
        assertThat(Manifest.parse(incremental.inTarJson())).isEqualTo(incremental);
    }

    @Test
    void signatureIsHmacOfTheCanonicalJsonWithoutSignature() throws Exception {
        Manifest sealed = sample().withArchive("full/20251026T030000Z.tar.gz.enc", 1234, H2);
        String signature = ManifestSignature.sign(sealed, SECRET);
        ObjectNode unsigned = tree(sealed, true);
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
        String good = new String(sample().inTarJson(), StandardCharsets.UTF_8);
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

    @Test
    void theStreamedFormsAreTheTreeRenderingsByteForByte() throws Exception {
        java.util.List<FileRecord> many = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) { // spills to disk; every other file with attributes, as archives before them mixed in
            EntryAttributes a = i % 2 == 0 ? null : new EntryAttributes(i % 07777, Instant.ofEpochSecond(1_700_000_000L + i), i, 4_294_967_295L - i);
            many.add(new FileRecord(String.format("proof/proof-%012d.json", i), i, H1, a));
        }
        many.add(new FileRecord("config/caf\u00e9 \"quoted\"\n.yaml", 7, H2)); // escapes and non-ASCII
        Manifest sealed = Manifest.unsealed("full-20251026T030000Z", Manifest.Type.FULL, Instant.parse("2025-10-26T03:00:00Z"), null,
                many, new Manifest.ProofHead(199, H1), null, List.of("config/key_registry.json"), List.of())
                .withArchive("full/20251026T030000Z.tar.gz.enc", 1234, H2);
        Manifest signed = sealed.withSignature(ManifestSignature.sign(sealed, SECRET));
        assertThat(signed.files().count()).isEqualTo(20_001);
        assertThat(ManifestJson.canonical(signed, ManifestJson.Form.IN_TAR)).isEqualTo(CanonicalJson.bytes(tree(signed, false)));
        ObjectNode signedTree = tree(signed, true);
        signedTree.remove("signature");
        assertThat(ManifestJson.canonical(signed, ManifestJson.Form.SIGNED)).isEqualTo(CanonicalJson.bytes(signedTree));
        assertThat(ManifestJson.canonicalSha256(signed, ManifestJson.Form.IN_TAR)).isEqualTo(CanonicalJson.sha256(tree(signed, false)));
        assertThat(new String(ManifestJson.pretty(signed), StandardCharsets.UTF_8))
                .isEqualTo(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree(signed, true)) + "\n");
        assertThat(signed.signature()).isEqualTo(Hashes.hmacSha256Hex(SECRET, CanonicalJson.bytes(signedTree)));
        assertThat(Manifest.parse(ManifestJson.pretty(signed))).isEqualTo(signed);
    }

    @Test
    void fileAttributesRoundTripInBothForms_andOlderEntriesHaveNone() throws Exception {
        EntryAttributes a = new EntryAttributes(0640, Instant.parse("2020-01-02T03:04:05Z"), 1234, 5678);
        Manifest m = Manifest.unsealed("full-20251026T030000Z", Manifest.Type.FULL, Instant.parse("2025-10-26T03:00:00Z"), null,
                List.of(new FileRecord("data/receipts.db", 123, H1, a), new FileRecord("proof/proof-000000000001.json", 45, H2)),
                null, null, List.of(), List.of()).withArchive("full/20251026T030000Z.tar.gz.enc", 1234, H2);
        Manifest signed = m.withSignature(ManifestSignature.sign(m, SECRET));
        String canonical = new String(signed.inTarJson(), StandardCharsets.UTF_8);
        assertThat(canonical).contains("{\"gid\":5678,\"mode\":\"0640\",\"mtime\":\"2020-01-02T03:04:05Z\",\"path\":\"data/receipts.db\","
                + "\"sha256\":\"" + H1 + "\",\"size\":123,\"uid\":1234}");
        assertThat(canonical).contains("{\"path\":\"proof/proof-000000000001.json\",\"sha256\":\"" + H2 + "\",\"size\":45}");
        ObjectNode pretty = (ObjectNode) JSON.readTree(signed.toPrettyJson());
        assertThat(pretty.get("files").get(0).fieldNames()).toIterable().containsExactly("path", "size", "sha256", "mode", "mtime", "uid", "gid");
        Manifest back = Manifest.parse(signed.toPrettyJson());
        assertThat(back).isEqualTo(signed);
        assertThat(back.files().toList().get(0).attributes()).isEqualTo(a);
        assertThat(back.files().toList().get(1).attributes()).isNull();
        assertThat(ManifestSignature.verify(back, SECRET)).isTrue();
        assertThat(back.toPrettyJson()).isEqualTo(signed.toPrettyJson());
    }

    @Test
    void fileAttributesComeAllFourOrNotAtAll_inTheirOneForm() throws Exception {
        String good = new String(sample().inTarJson(), StandardCharsets.UTF_8);
        String one = "{\"path\":\"proof/proof-000000000001.json\"";
        assertThatThrownBy(() -> Manifest.parse(good.replace(one, "{\"mode\":\"0644\",\"path\":\"proof/proof-000000000001.json\"").getBytes()))
                .hasMessage("manifest: file 'proof/proof-000000000001.json' has some of mode, mtime, uid, gid but not all four");
        String all = "{\"gid\":0,\"mode\":\"%s\",\"mtime\":\"%s\",\"path\":\"proof/proof-000000000001.json\"";
        String tail = ",\"uid\":0}";
        String withTail = good.replaceFirst("(\"path\":\"proof/proof-000000000001.json\",\"sha256\":\"[0-9a-f]{64}\",\"size\":123)\\}", "$1" + tail);
        assertThat(Manifest.parse(withTail.replace(one, String.format(all, "0644", "2020-01-02T03:04:05Z")).getBytes())
                .files().toList().get(0).attributes()).isEqualTo(new EntryAttributes(0644, Instant.parse("2020-01-02T03:04:05Z"), 0, 0));
        assertThatThrownBy(() -> Manifest.parse(withTail.replace(one, String.format(all, "644", "2020-01-02T03:04:05Z")).getBytes()))
                .hasMessage("manifest: mode '644' is not four octal digits (\"0640\")");
        assertThatThrownBy(() -> Manifest.parse(withTail.replace(one, String.format(all, "0644", "2020-01-02T03:04:05.500Z")).getBytes()))
                .hasMessage("manifest: mtime '2020-01-02T03:04:05.500Z' is not in whole seconds");
    }

    @Test
    void parseRefusesAFileListedTwiceAndUnknownMembersAtAnyLevel() {
        String good = new String(sample().inTarJson(), StandardCharsets.UTF_8);
        String twice = good.replace("\"config/key_registry.json\",\"sha256\"", "\"proof/proof-000000000001.json\",\"sha256\"");
        assertThatThrownBy(() -> Manifest.parse(twice.getBytes())).hasMessage("manifest: files lists 'proof/proof-000000000001.json' twice");
        assertThatThrownBy(() -> Manifest.parse(good.replace("{\"path\"", "{\"owner\":420,\"path\"").getBytes()))
                .hasMessage("manifest: unknown field 'owner' in files");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"seq\":199", "\"seq\":199,\"x\":1").getBytes()))
                .hasMessage("manifest: unknown field 'x' in proof_head");
    }
}
