package io.qontrek.factorydr.offsite;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestJson;
import java.io.InputStream;
import io.qontrek.factorydr.archive.ManifestSignature;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.restore.CatalogRebuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Rebuilds the catalog from the signed manifests stored offsite, for when the machine and its
 * catalog are gone: every {@code *.manifest.json} under the prefix whose signature verifies, whose
 * archive name matches its key, and whose archive object is there with the manifest's size, is
 * recorded as offsite. The listing is paginated (S3 returns at most 1000 keys a page).
 */
public final class OffsiteCatalog {
    private static final String MANIFEST_SUFFIX = ".manifest.json";

    private OffsiteCatalog() {}

    public static CatalogRebuilder.Result rebuild(S3Client client, OffsiteSettings s3, Catalog catalog, byte[] signingSecret) {
        Map<String, S3Object> objects = new HashMap<>();
        client.listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(s3.prefix()))
                .contents().forEach(o -> objects.put(o.key(), o));
        int manifests = 0;
        int recorded = 0;
        int known = 0;
        List<String> problems = new ArrayList<>();
        List<Map.Entry<CatalogEntry, List<String>>> tripped = new ArrayList<>(); // manifests naming tripwires (few)
        for (String key : objects.keySet().stream().sorted().toList()) {
            if (!key.endsWith(MANIFEST_SUFFIX)) continue;
            manifests++;
            String archiveKey = key.substring(0, key.length() - MANIFEST_SUFFIX.length());
            String name = archiveKey.substring(s3.prefix().length());
            try {
                Manifest m;
                // streamed from the object: a million files' manifest is never one byte array
                try (InputStream json = new java.io.BufferedInputStream(client.getObject(b -> b.bucket(s3.bucket()).key(key)), 1 << 16)) {
                    m = ManifestJson.parse(json, null);
                } catch (java.io.IOException e) {
                    throw new ArchiveException("cannot read the manifest: " + e.getMessage(), e);
                }
                try (m) {
                if (m.signature() == null || m.archive() == null) throw new ArchiveException("manifest is not sealed");
                if (!ManifestSignature.verify(m, signingSecret)) throw new ArchiveException("manifest signature does not verify");
                if (!m.archive().name().equals(name)) throw new ArchiveException("manifest names archive '" + m.archive().name() + "'");
                S3Object archive = objects.get(archiveKey);
                if (archive == null) throw new ArchiveException("archive object missing");
                if (archive.size() != m.archive().size()) {
                    throw new ArchiveException("archive object is " + archive.size() + " bytes, the manifest says " + m.archive().size());
                }
                String offsiteAt = archive.lastModified().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
                CatalogEntry e = CatalogEntry.of(m, null, offsiteAt);
                if (m.tripwires() != null) tripped.add(Map.entry(e, m.tripwires()));
                if (catalog.recordIfAbsent(e, CatalogEntry.rows(m), m.databases())) recorded++;
                else known++;
                }
            } catch (ArchiveException e) {
                problems.add(name + ": " + e.getMessage());
            }
        }
        // once every archive is in, so that each tripwire holds the backup taken before its own, as when it was raised
        for (Map.Entry<CatalogEntry, List<String>> t : tripped) catalog.recordTripwiresIfAbsent(t.getKey(), t.getValue());
        return new CatalogRebuilder.Result(manifests, recorded, known, problems);
    }
}
