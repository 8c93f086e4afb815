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
        String offsiteAt) {}
