package io.qontrek.factorydr.backup;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What one archive will hold and say about itself: the entries in archive order, and the facts its
 * manifest records. Built by a collector, consumed by the archive pipeline.
 *
 * @param type full | incremental | proof-daily | alerts
 * @param name the archive's path relative to the archive directory
 * @param base the backup_id an incremental builds on, else null
 * @param redacted archive paths whose content had secret fields removed
 * @param skipped runtime paths left out because they hold secrets
 * @param workDir snapshots made for this archive, deleted once it is stored or has failed; may be null
 * @param snapshots database snapshots still being taken or checked for this archive (the ledger head
 *     then comes from them); null when there are none
 */
public record BackupSet(
        String type,
        String backupId,
        String name,
        Instant createdAt,
        String base,
        List<Entry> entries,
        Head proofHead,
        Head ledgerHead,
        List<String> redacted,
        List<String> skipped,
        Path workDir,
        SqliteSnapshots snapshots) {

    public BackupSet {
        entries = List.copyOf(entries);
        redacted = List.copyOf(redacted);
        skipped = List.copyOf(skipped);
    }

    public BackupSet(String type, String backupId, String name, Instant createdAt, String base, List<Entry> entries,
            Head proofHead, Head ledgerHead, List<String> redacted, List<String> skipped, Path workDir) {
        this(type, backupId, name, createdAt, base, entries, proofHead, ledgerHead, redacted, skipped, workDir, null);
    }

    /** The ledger head the manifest records: given, or read from the ledger snapshot (waiting for it). */
    public Head ledgerHead() {
        if (ledgerHead != null || snapshots == null) return ledgerHead;
        try {
            return snapshots.ledgerHead();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * One archive entry: a file streamed from disk, or small bytes built in memory (a redacted config
     * file). An append-only file (a service log) may grow or be rotated away while the backup runs:
     * it is archived as it was when opened, or left out if it is gone.
     */
    public record Entry(String path, Path source, byte[] bytes, Instant mtime, boolean appendOnly,
            java.util.concurrent.Future<Path> pending) {
        public static Entry file(String path, Path source) {
            return new Entry(path, source, null, null, false, null);
        }

        public static Entry log(String path, Path source) {
            return new Entry(path, source, null, null, true, null);
        }

        public static Entry bytes(String path, byte[] bytes, Instant mtime) {
            return new Entry(path, null, bytes, mtime, false, null);
        }

        /** A file still being made (a database snapshot): the tar waits for {@code ready} before reading source. */
        public static Entry pending(String path, Path source, java.util.concurrent.Future<Path> ready) {
            return new Entry(path, source, null, null, false, ready);
        }
    }

    /** A chain head: the proof head (seq, merkle_root) or the ledger head (seq, entry_hash). */
    public record Head(long seq, String hash) {}

    public long sourceBytes() {
        long n = 0;
        for (Entry e : entries) {
            if (e.bytes() != null) n += e.bytes().length;
            else n += e.source().toFile().length();
        }
        return n;
    }
}
