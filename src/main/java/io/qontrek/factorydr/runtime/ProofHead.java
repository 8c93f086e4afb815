package io.qontrek.factorydr.runtime;

/** The newest proof: its seq and merkle_root (a manifest's {@code proof_head}). */
public record ProofHead(long seq, String merkleRoot) {}
