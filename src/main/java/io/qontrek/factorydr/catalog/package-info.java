/**
 * The backup catalog: a SQLite file beside the archives that records every archive written (its
 * name, type, checksum, heads and files) and every flow run. Invariant: an archive is recorded
 * only after it is complete, verified and under its final name; the catalog can always be rebuilt
 * from the signed manifests, so losing it loses nothing.
 */
package io.qontrek.factorydr.catalog;
