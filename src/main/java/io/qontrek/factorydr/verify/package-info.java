/**
 * Verification of a factory runtime as the runbook's "Integrity checks" and drill outcomes ask:
 * the proof chain (RFC 6962 roots, contiguous seqs, prev_root links), Tower receipts and the receipt
 * index, daily digest continuity, the federation ledger chain and anti-replay (with a probe that
 * sends a test batch and a replay inside transactions it rolls back), and the rebuilds of the nonce
 * store and receipt index. Pure Java, no Camel: routes call these mechanisms.
 *
 * <p>Invariants: verifiers never write (files are read, SQLite is opened read-only; the probe's
 * writes are always rolled back, leaving the databases byte for byte as they were); they stream,
 * holding one proof, one ledger row or one day's roots at a time; every problem is one line naming
 * the seq, file or date, and no secret is ever in one. Rebuilders build beside the live database,
 * check and fsync, then replace it with one atomic rename, or leave it untouched.
 */
package io.qontrek.factorydr.verify;
