/**
 * The signed recovery proofs in archive/recovery-proofs/: the drill proof and the resilience_ops
 * proof, their HMAC signatures and how they are read back. The recovery flows write them; the
 * governance gates and `factory-dr verify drill` read them, so they depend on neither.
 */
package io.qontrek.factorydr.proofs;
