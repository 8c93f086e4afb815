package io.qontrek.factorydr.runtime;

/**
 * Follows the federation ledger's hash chain forward from a known head, one entry at a time: each
 * entry must have the next seq, name the head's entry_hash as its prev_hash, and recompute. How an
 * incremental proves its ledger delta continues its base, and how a restore proves it again before
 * applying it; both cost one hash per new entry, never a walk of the whole ledger.
 */
public final class LedgerLink {
    private long seq;
    private String hash;

    /** From the entry at {@code seq} with {@code entryHash}; seq 0 and ZERO for an empty ledger. */
    public LedgerLink(long seq, String entryHash) {
        this.seq = seq;
        this.hash = entryHash;
    }

    /** Takes the next entry: null when it continues the chain (it is then the head), else why not. */
    public String follow(LedgerEntry e) {
        if (e.seq() != seq + 1) return "ledger seq " + e.seq() + " follows seq " + seq + ": the chain has a gap";
        if (!e.prevHash().equals(hash)) {
            return "ledger seq " + e.seq() + " does not continue the chain: its prev_hash is not the entry_hash of seq " + seq;
        }
        if (!e.entryHash().equals(e.computedEntryHash())) {
            return "ledger seq " + e.seq() + ": entry_hash does not recompute (the row changed after it was chained)";
        }
        seq = e.seq();
        hash = e.entryHash();
        return null;
    }

    public long seq() {
        return seq;
    }
}
