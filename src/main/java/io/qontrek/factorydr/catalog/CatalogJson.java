package io.qontrek.factorydr.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shape of catalogued archives, shared by {@code factory-dr list --json} and GET /api/backups. */
public final class CatalogJson {
    private CatalogJson() {}

    public static List<Map<String, Object>> archives(List<CatalogEntry> entries) {
        return entries.stream().map(CatalogJson::entry).toList();
    }

    public static Map<String, Object> entry(CatalogEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backup_id", e.backupId());
        m.put("type", e.type());
        m.put("name", e.name());
        m.put("created_at", e.createdAt());
        m.put("base", e.base());
        m.put("size", e.size());
        m.put("sha256", e.sha256());
        m.put("files", e.files());
        m.put("content_bytes", e.contentBytes());
        m.put("proof_head", e.proofHeadSeq() == null ? null : head("merkle_root", e.proofHeadSeq(), e.proofHeadRoot()));
        m.put("ledger_head", e.ledgerHeadSeq() == null ? null : head("entry_hash", e.ledgerHeadSeq(), e.ledgerHeadHash()));
        m.put("verified_at", e.verifiedAt());
        m.put("offsite_at", e.offsiteAt());
        return m;
    }

    /** {"seq", then the hash}: in that order every time (Map.of's order changes from one JVM to the next). */
    private static Map<String, Object> head(String hashName, long seq, String hash) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", seq);
        m.put(hashName, hash);
        return m;
    }
}
