/**
 * The backup catalog: a SQLite file beside the archives that records every archive written (its
 * name, type, checksum, heads and files) and every flow run. Invariant: an archive is recorded
 * only after it is complete, verified and under its final name; the catalog can always be rebuilt
 * from the signed manifests, so losing it loses nothing. The views of the backups read it through
 * {@link io.qontrek.factorydr.catalog.CatalogReads}, never per file: Catalog answers with its own
 * queries, the API routes with theirs through camel-jdbc, and {@link io.qontrek.factorydr.catalog.CatalogRows}
 * maps both to the same records.
 */
package io.qontrek.factorydr.catalog;
