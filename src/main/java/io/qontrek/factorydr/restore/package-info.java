/**
 * Restore mechanisms, each one job, called by the restore and drill routes: {@link
 * io.qontrek.factorydr.restore.RestorePlanner} chooses the archives for a date (a pure function of the
 * catalog), {@link io.qontrek.factorydr.restore.SafeExtractor} unpacks them into a staging directory,
 * {@link io.qontrek.factorydr.restore.RuntimeSwap} swaps the verified staging into the live runtime, and
 * {@link io.qontrek.factorydr.restore.CatalogRebuilder} recovers a lost catalog from the signed manifests.
 *
 * <p>Invariants: nothing is written outside the staging directory until the swap; the swap either
 * completes or puts every live file back as it was; what it replaced is kept until it has succeeded.
 * A swap killed at any point is taken back (or, once committed, finished) by the next restore from
 * its journal ({@link io.qontrek.factorydr.restore.RestoreStaging}).
 */
package io.qontrek.factorydr.restore;
