package io.qontrek.factorydr.runtime;

/** The newest ledger row: its seq and entry_hash (a manifest's {@code ledger_head}); seq 0 and ZERO when empty. */
public record LedgerHead(long seq, String entryHash) {}
