package io.qontrek.factorydr.catalog;

/**
 * One archive as the catalog knows it. Heads are null where the archive holds no proof or ledger.
 *
 * @param name the archive's path relative to the archive directory, e.g. full/20251026T030000Z.tar.gz.enc
 */
public record CatalogEntry(
        String backupId,
        String type,
        String name,
        String createdAt,
        String base,
        long size,
        String sha256,
        int files,
        long contentBytes,
        Long proofHeadSeq,
        String proofHeadRoot,
        Long ledgerHeadSeq,
        String ledgerHeadHash,
        String verifiedAt,
        String offsiteAt) {

    /** The catalog's view of a sealed manifest. */
    public static CatalogEntry of(io.qontrek.factorydr.archive.Manifest m, String verifiedAt, String offsiteAt) {
        return new CatalogEntry(m.backupId(), m.type().wire(), m.archive().name(), m.createdAt().toString(), m.base(),
                m.archive().size(), m.archive().sha256(), Math.toIntExact(m.files().count()), m.files().contentBytes(),
                m.proofHead() == null ? null : m.proofHead().seq(),
                m.proofHead() == null ? null : m.proofHead().merkleRoot(),
                m.ledgerHead() == null ? null : m.ledgerHead().seq(),
                m.ledgerHead() == null ? null : m.ledgerHead().entryHash(),
                verifiedAt, offsiteAt);
    }

    /** The manifest's files as catalog rows, read from its list as they are recorded. */
    public static Iterable<Catalog.FileRow> rows(io.qontrek.factorydr.archive.Manifest m) {
        return () -> new java.util.Iterator<>() {
            private final java.util.Iterator<io.qontrek.factorydr.archive.FileRecord> files = m.files().iterator();

            @Override
            public boolean hasNext() {
                return files.hasNext();
            }

            @Override
            public Catalog.FileRow next() {
                io.qontrek.factorydr.archive.FileRecord f = files.next();
                return new Catalog.FileRow(f.path(), f.size(), f.sha256());
            }
        };
    }
}
