package io.qontrek.factorydr.catalog;

import io.qontrek.factorydr.catalog.Catalog.FlowRuns;
import io.qontrek.factorydr.catalog.Catalog.ProofChainCheck;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What every view of the backups (the gates, healthz, /metrics, the status page, {@code factory-dr
 * status}) reads of the catalog: none of it per file, all of it bounded by what retention keeps.
 * {@link Catalog} answers it with its own queries; the API routes answer it with the same queries
 * run through camel-jdbc ({@link CatalogRows#snapshot}).
 */
public interface CatalogReads {
    /** Every archive, oldest first. */
    List<CatalogEntry> archives();

    /** Per flow: runs by outcome, its newest run and its newest successful one. */
    Map<String, FlowRuns> flowRuns();

    /** For each archive that named its databases, their names. */
    Map<String, Set<String>> databasesRecorded();

    /** The newest proof chain check that says something about the whole chain. */
    Optional<ProofChainCheck> newestProofChainEvidence();
}
