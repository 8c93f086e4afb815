package io.qontrek.factorydr.offsite;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestJson;
import io.qontrek.factorydr.archive.ManifestSignature;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.restore.CatalogRebuilder;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A rebuild of the catalog from the signed manifests stored offsite, for when the machine and its
 * catalog are gone, driven by route catalog-rebuild-s3 (which does the S3 calls): the bucket is
 * listed a page at a time ({@link #nextPage}, {@link #add}; S3 returns at most 1000 keys a page),
 * then every {@code *.manifest.json} under the prefix is read ({@link #manifestKeys}, {@link #record}).
 * A manifest whose signature verifies, whose archive name matches its key, and whose archive object is
 * there with the manifest's size, is recorded as offsite; any other is a problem the result names.
 * What is kept per key is its listing entry: the bucket's objects, never the archives' files.
 */
public final class OffsiteCatalog {
    static final int PAGE = 1000;
    private static final String MANIFEST_SUFFIX = ".manifest.json";

    private final OffsiteSettings s3;
    private final Catalog catalog;
    private final byte[] signingSecret;
    private final TreeMap<String, S3Object> objects = new TreeMap<>();
    private boolean more = true;
    private int manifests;
    private int recorded;
    private int known;
    private final List<String> problems = new ArrayList<>();
    private final List<Map.Entry<CatalogEntry, List<String>>> tripped = new ArrayList<>(); // manifests naming tripwires (few)

    public OffsiteCatalog(OffsiteSettings s3, Catalog catalog, byte[] signingSecret) {
        this.s3 = s3;
        this.catalog = catalog;
        this.signingSecret = signingSecret;
    }

    /** The request for the next page of the listing (aws2-s3 listObjects with pojoRequest). */
    public ListObjectsRequest nextPage() {
        ListObjectsRequest.Builder b = ListObjectsRequest.builder().bucket(s3.bucket()).prefix(s3.prefix()).maxKeys(PAGE);
        if (!objects.isEmpty()) b.marker(objects.lastKey());
        return b.build();
    }

    /** One page of the listing; a full page means there may be more. */
    public void add(List<S3Object> page) {
        int before = objects.size();
        for (S3Object o : page) objects.put(o.key(), o);
        more = page.size() >= PAGE && objects.size() > before;
    }

    /** Whether the listing goes on. */
    public boolean more() {
        return more;
    }

    /** The manifests' keys, in order. */
    public List<String> manifestKeys() {
        return objects.keySet().stream().filter(k -> k.endsWith(MANIFEST_SUFFIX)).toList();
    }

    /** One manifest as read from S3 (closed here): recorded, already known, or a problem naming it. */
    public void record(String key, InputStream object) {
        manifests++;
        String archiveKey = key.substring(0, key.length() - MANIFEST_SUFFIX.length());
        String name = archiveKey.substring(s3.prefix().length());
        // streamed from the object: a million files' manifest is never one byte array
        try (InputStream json = new BufferedInputStream(object, 1 << 16); Manifest m = ManifestJson.parse(json, null)) {
            if (m.signature() == null || m.archive() == null) throw new ArchiveException("manifest is not sealed");
            if (!ManifestSignature.verify(m, signingSecret)) throw new ArchiveException("manifest signature does not verify");
            if (!m.archive().name().equals(name)) throw new ArchiveException("manifest names archive '" + m.archive().name() + "'");
            S3Object archive = objects.get(archiveKey);
            if (archive == null) throw new ArchiveException("archive object missing");
            if (archive.size() != m.archive().size()) {
                throw new ArchiveException("archive object is " + archive.size() + " bytes, the manifest says " + m.archive().size());
            }
            CatalogEntry e = CatalogEntry.of(m, null, archive.lastModified().truncatedTo(ChronoUnit.SECONDS).toString());
            if (m.tripwires() != null) tripped.add(Map.entry(e, m.tripwires()));
            if (catalog.recordIfAbsent(e, CatalogEntry.rows(m), m.databases())) recorded++;
            else known++;
        } catch (ArchiveException e) {
            problems.add(name + ": " + e.getMessage());
        } catch (IOException e) {
            problems.add(name + ": cannot read the manifest: " + e.getMessage());
        }
    }

    /** Once every archive is in, its tripwires, so that each holds the backup taken before its own, as when it was raised. */
    public CatalogRebuilder.Result finish() {
        for (Map.Entry<CatalogEntry, List<String>> t : tripped) catalog.recordTripwiresIfAbsent(t.getKey(), t.getValue());
        return new CatalogRebuilder.Result(manifests, recorded, known, problems);
    }
}
