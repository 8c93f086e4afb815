package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.Manifest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What one archive will hold and say about itself: the entries in archive order, and the facts its
 * manifest records. Built by a collector, consumed by the archive pipeline. The entries are produced
 * as the pipeline asks for them (a sorted listing of the proof directory, say), so a set of a million
 * files holds none of them in memory; iterate them once.
 *
 * @param type full | incremental | proof-daily | alerts
 * @param name the archive's path relative to the archive directory
 * @param base the backup_id an incremental builds on, else null
 * @param redacted archive paths whose content had secret fields removed
 * @param skipped runtime paths left out because they hold secrets
 * @param workDir snapshots made for this archive, deleted once it is stored or has failed; may be null
 * @param snapshots database snapshots still being taken or checked for this archive (the ledger head
 *     and the databases then come from them); null when there are none
 * @param databases what the archive holds of each database, when not from {@code snapshots}; null: none
 * @param missingProofs proof files the catalog holds that the collector's listing of proof/ lacked, when
 *     the collector merged the two (the incremental); null when it did not
 * @param shrinkCheck this backup's tripwire ({@link ShrinkCheck}), once the route's checkShrink step has
 *     started it; null for archives that are not checked
 */
public record BackupSet(
        String type,
        String backupId,
        String name,
        Instant createdAt,
        String base,
        Iterable<Entry> entries,
        Head proofHead,
        Head ledgerHead,
        List<String> redacted,
        List<String> skipped,
        Path workDir,
        SqliteSnapshots snapshots,
        List<Manifest.Database> databases,
        MissingProofs missingProofs,
        ShrinkCheck shrinkCheck) {

    public BackupSet {
        redacted = List.copyOf(redacted);
        skipped = List.copyOf(skipped);
        if (databases != null) databases = List.copyOf(databases);
    }

    public BackupSet(String type, String backupId, String name, Instant createdAt, String base, Iterable<Entry> entries,
            Head proofHead, Head ledgerHead, List<String> redacted, List<String> skipped, Path workDir) {
        this(type, backupId, name, createdAt, base, entries, proofHead, ledgerHead, redacted, skipped, workDir, null, null, null, null);
    }

    public BackupSet(String type, String backupId, String name, Instant createdAt, String base, Iterable<Entry> entries,
            Head proofHead, Head ledgerHead, List<String> redacted, List<String> skipped, Path workDir, SqliteSnapshots snapshots) {
        this(type, backupId, name, createdAt, base, entries, proofHead, ledgerHead, redacted, skipped, workDir, snapshots, null, null, null);
    }

    public BackupSet(String type, String backupId, String name, Instant createdAt, String base, Iterable<Entry> entries,
            Head proofHead, Head ledgerHead, List<String> redacted, List<String> skipped, Path workDir, SqliteSnapshots snapshots,
            List<Manifest.Database> databases) {
        this(type, backupId, name, createdAt, base, entries, proofHead, ledgerHead, redacted, skipped, workDir, snapshots, databases,
                null, null);
    }

    /**
     * What the manifest says of each database: given (an incremental's deltas), or from the snapshots
     * (a full; waiting for them); null for archives that hold none.
     */
    public List<Manifest.Database> databases() {
        if (databases != null || snapshots == null) return databases;
        try {
            return snapshots.databases();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The same set, checked by this tripwire. */
    public BackupSet withShrinkCheck(ShrinkCheck check) {
        return new BackupSet(type, backupId, name, createdAt, base, entries, proofHead, ledgerHead, redacted, skipped, workDir,
                snapshots, databases, missingProofs, check);
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
     * it is archived as it was when opened, or left out if it is gone. {@code recordedAs}, when not
     * null, is the file whose mode, owner and mtime the archive records for the entry (the live
     * database of a snapshot, the config file a redacted copy was made of); else the source's own.
     */
    public record Entry(String path, Path source, byte[] bytes, Instant mtime, boolean appendOnly,
            java.util.concurrent.Future<Path> pending, Path recordedAs) {
        public static Entry file(String path, Path source) {
            return new Entry(path, source, null, null, false, null, null);
        }

        /** A file made for the backup (a database delta) that is archived as the file it was made of. */
        public static Entry copyOf(String path, Path source, Path original) {
            return new Entry(path, source, null, null, false, null, original);
        }

        public static Entry log(String path, Path source) {
            return new Entry(path, source, null, null, true, null, null);
        }

        /** Bytes with no file behind them: archived as 0644, with no attributes recorded. */
        public static Entry bytes(String path, byte[] bytes, Instant mtime) {
            return new Entry(path, null, bytes, mtime, false, null, null);
        }

        /** Bytes made from {@code original} (its secrets removed): archived with its mode, owner and mtime. */
        public static Entry bytesOf(String path, byte[] bytes, Path original) {
            return new Entry(path, null, bytes, null, false, null, original);
        }

        /** A snapshot still being made of {@code original}: the tar waits for {@code ready} before reading source. */
        public static Entry pending(String path, Path source, java.util.concurrent.Future<Path> ready, Path original) {
            return new Entry(path, source, null, null, false, ready, original);
        }
    }

    /**
     * Whether there is nothing to archive: no entry (or, for an incremental, only its unchanged databases),
     * and no tripwire finding (a backup that saw the runtime shrink is written even when nothing else
     * changed, so that its manifest names the loss). Starts the entries' first part: ask it of small sets
     * (an incremental, a day's alerts).
     */
    public boolean isEmpty() {
        if (shrinkCheck != null && !shrinkCheck.findings().isEmpty()) return false;
        java.util.Iterator<Entry> it = entries.iterator();
        if (!it.hasNext()) return true;
        if (databases == null) return false;
        // an incremental's entries are its proof files, then one per database: databases alone, none changed, is nothing
        String first = it.next().path();
        return databases.stream().anyMatch(d -> d.path().equals(first)) && databases.stream().noneMatch(BackupSet::changed);
    }

    /**
     * What the set holds besides its entries: its snapshots, stopped first (nothing writes there any
     * more), then its scratch. For a run that ends before or after its archive; again, a no-op.
     */
    public void discard() {
        try {
            if (snapshots != null) snapshots.close();
        } finally {
            WorkDir.delete(workDir);
        }
    }

    /** Whether an incremental's database changed since its base: taken whole, or a delta of some rows. */
    public static boolean changed(Manifest.Database d) {
        return d.form() == Manifest.Database.Form.WHOLE || d.rows() > 0;
    }

    /** A chain head: the proof head (seq, merkle_root) or the ledger head (seq, entry_hash). */
    public record Head(long seq, String hash) {}

    /**
     * The entries of these parts one after the other, each part iterated only when the one before it
     * is done: a {@link Listed} directory is listed then, not when the set is made.
     */
    @SafeVarargs
    public static Iterable<Entry> concat(Iterable<Entry>... parts) {
        // not Stream.flatMap: pulled through an iterator, it buffers each part whole
        return () -> new java.util.Iterator<>() {
            private int part;
            private java.util.Iterator<Entry> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && part < parts.length) current = parts[part++].iterator();
                return current.hasNext();
            }

            @Override
            public Entry next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                return current.next();
            }
        };
    }

    /**
     * Every regular file below {@code dir}, sorted ({@link SortedListing}), as entries named
     * {@code prefix + relative path}; the listing runs when iteration starts, its runs spilling into
     * {@code spillDir}. A listing that fails surfaces as an UncheckedIOException.
     */
    public record Listed(Path dir, String prefix, Path spillDir) implements Iterable<Entry> {
        @Override
        public java.util.Iterator<Entry> iterator() {
            SortedListing names;
            try {
                names = SortedListing.of(dir, spillDir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return names.hasNext();
                }

                @Override
                public Entry next() {
                    String relative = names.next().relative();
                    return Entry.file(prefix + relative, dir.resolve(relative));
                }
            };
        }
    }
}
