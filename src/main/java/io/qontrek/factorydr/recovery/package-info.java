/**
 * Panic recovery and disaster-recovery drills (the runbook's "Panic Recovery", "Disaster Recovery
 * Drill" and "Post-Recovery Checklist").
 *
 * <p>{@link io.qontrek.factorydr.recovery.RecoveryChecks} lists every check that decides whether
 * recovery is safe, the runtime's integrity: the verifiers (proofs, digests, receipts, federation and
 * its probe), database integrity, the runtime's chain still holding the newest backup's heads. The
 * backup posture (the rpo, full-backup, offsite and drill gates) is recorded beside them as warnings
 * and never blocks. {@link io.qontrek.factorydr.recovery.PanicRecovery} clears data/ATLAS_PANIC only
 * when every check passes, after writing a signed resilience_ops proof. {@link io.qontrek.factorydr.recovery.Drill}
 * rehearses the whole disaster in a staging copy and {@link io.qontrek.factorydr.proofs.DrillProof}
 * describes and checks its signed proof.
 *
 * <p>Invariants: a drill never writes to the live runtime; a recovery proof is signed
 * (HMAC-SHA256 with FACTORY_SIGNING_SECRET over its RFC 8785 canonical JSON without the signature),
 * written under a temporary name, fsynced and linked to its final name, never overwriting one, then
 * given its detached Ed25519 signature ({@code .json.sig}) by the route; the panic flag is removed
 * only after the proof and its signature are on disk.
 */
package io.qontrek.factorydr.recovery;
