package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hex;
import io.qontrek.factorydr.common.Spool;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An archive's file list, the manifest's {@code files}, in archive order, kept off the heap in a
 * {@link Spool}: a million files take 100 MB as objects, a few KB here (the rest is in an unlinked
 * scratch file). Written once by a {@link Builder}, which refuses a path listed twice
 * ({@link UniquePaths}), then read any number of times, by several threads at once, each with its
 * own iterator.
 */
public final class FileList implements Iterable<FileRecord>, AutoCloseable {
    private final Spool records;
    private final long contentBytes;

    private FileList(Spool records, long contentBytes) {
        this.records = records;
        this.contentBytes = contentBytes;
    }

    /** A list that spills into a directory of the caller's (null: java.io.tmpdir) should it grow long. */
    public static Builder builder(Path spillDir) {
        return new Builder(spillDir);
    }

    /** A small list, for callers and tests that already hold the records. */
    public static FileList of(Iterable<FileRecord> records) {
        Builder b = builder(null);
        for (FileRecord r : records) b.add(r);
        return b.seal();
    }

    public long count() {
        return records.size();
    }

    /** The sum of the files' sizes. */
    public long contentBytes() {
        return contentBytes;
    }

    /** The records in archive order; each iterator reads on its own. I/O failures surface as UncheckedIOException. */
    @Override
    public Iterator<FileRecord> iterator() {
        Iterator<byte[]> raw = records.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return raw.hasNext();
            }

            @Override
            public FileRecord next() {
                return decode(raw.next());
            }
        };
    }

    /** The records as stored, in order: two lists' records are equal exactly when these bytes are. */
    Iterator<byte[]> encoded() {
        return records.iterator();
    }

    /** The records as a list in memory: for small lists only (tests). */
    public List<FileRecord> toList() {
        List<FileRecord> out = new ArrayList<>();
        for (FileRecord r : this) out.add(r);
        return out;
    }

    /** Whether both hold the same records in the same order. */
    public boolean sameRecords(FileList other) {
        if (other.count() != count() || other.contentBytes != contentBytes) return false;
        Iterator<FileRecord> a = iterator();
        Iterator<FileRecord> b = other.iterator();
        while (a.hasNext()) {
            if (!a.next().equals(b.next())) return false;
        }
        return true;
    }

    @Override
    public void close() {
        records.close();
    }

    @Override
    public String toString() {
        return "FileList[" + count() + " files, " + contentBytes + " bytes]";
    }

    // a record: size (8 bytes), SHA-256 (32), whether attributes follow (1), then mode (4), mtime in
    // epoch seconds (8), uid (8), gid (8) if they do, then the path's UTF-8 bytes
    private static final int FIXED = 41;
    private static final int ATTRIBUTES = 28;

    private static byte[] encode(FileRecord r) {
        byte[] path = r.path().getBytes(StandardCharsets.UTF_8);
        EntryAttributes a = r.attributes();
        ByteBuffer b = ByteBuffer.allocate(FIXED + (a == null ? 0 : ATTRIBUTES) + path.length)
                .putLong(r.size()).put(Hex.decode(r.sha256())).put((byte) (a == null ? 0 : 1));
        if (a != null) b.putInt(a.mode()).putLong(a.mtime().getEpochSecond()).putLong(a.uid()).putLong(a.gid());
        return b.put(path).array();
    }

    static FileRecord decode(byte[] record) {
        ByteBuffer b = ByteBuffer.wrap(record);
        long size = b.getLong();
        byte[] sha = new byte[32];
        b.get(sha);
        EntryAttributes a = null;
        if (b.get() != 0) {
            a = new EntryAttributes(b.getInt(), java.time.Instant.ofEpochSecond(b.getLong()), b.getLong(), b.getLong());
        }
        int at = b.position();
        return new FileRecord(new String(record, at, record.length - at, StandardCharsets.UTF_8), size, Hex.encode(sha), a);
    }

    /** Appends records in order, then seals them into a {@link FileList}. */
    public static final class Builder implements AutoCloseable {
        private final Spool records;
        private final UniquePaths unique;
        private long contentBytes;
        private boolean sealed;

        private Builder(Path spillDir) {
            this.records = new Spool(spillDir);
            this.unique = new UniquePaths(spillDir);
        }

        public Builder add(FileRecord r) {
            if (sealed) throw new IllegalStateException("file list already sealed");
            if (r.path().equals(EntryNames.MANIFEST)) throw new IllegalArgumentException("files lists the reserved name manifest.json");
            if (!unique.add(r.path())) throw new IllegalArgumentException("files lists '" + r.path() + "' twice");
            records.append(encode(r));
            contentBytes += r.size();
            return this;
        }

        public long count() {
            return records.size();
        }

        /** The finished list; the builder is spent. */
        public FileList seal() {
            if (sealed) throw new IllegalStateException("file list already sealed");
            sealed = true;
            unique.close();
            return new FileList(records.seal(), contentBytes);
        }

        /** Drops an unsealed list (a failed write); harmless after {@link #seal}. */
        @Override
        public void close() {
            unique.close();
            if (!sealed) records.close();
            sealed = true;
        }
    }
}
