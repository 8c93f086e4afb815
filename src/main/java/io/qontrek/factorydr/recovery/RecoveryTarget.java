package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.time.Instant;

/**
 * The runtime a recovery check looks at (the live one, or a drill's staging copy), the catalog of
 * the backups it is compared with, the tower key for receipts, the signing key drill proofs are
 * verified with (null when not set), the flows' "now", and the governance policy whose gates it evaluates.
 */
public record RecoveryTarget(RuntimeLayout layout, Catalog catalog, byte[] towerSecret, byte[] signingSecret, Instant now,
        io.qontrek.factorydr.governance.GovernancePolicy policy) {}
