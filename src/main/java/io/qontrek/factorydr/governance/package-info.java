/**
 * Governance: the gates an operator (and the runbook's "governance gates pass") reads to know the
 * backups can be trusted right now. {@link io.qontrek.factorydr.governance.Gates#evaluate} is a pure
 * function of the runtime layout, the catalog, the policy, the signing key and "now": it writes
 * nothing and reads only what is cheap (catalog rows, a few stats, the newest signed drill proof),
 * never proof/ or the ledger: what the verify flows found there, they recorded in the catalog. So its cost does not grow with the runtime, and the
 * HTTP API, the alert watch and the drill can all call it.
 */
package io.qontrek.factorydr.governance;
