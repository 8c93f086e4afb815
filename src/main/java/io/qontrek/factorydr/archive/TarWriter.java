package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a POSIX (PAX) tar in one pass, hashing each file as it streams in, and ends it with
 * {@code manifest.json}: the manifest can list every file's SHA-256 only after all were written.
 *
 * <p>Long names, big numbers and non-ASCII names get PAX headers, which GNU tar and bsdtar read. Entry
 * names are relative (see {@link EntryNames}). Each file's header carries its source's permission bits,
 * mtime (whole seconds), and numeric uid and gid ({@link EntryAttributes}), which its {@link FileRecord}
 * repeats for the manifest. User and group names are left empty, so that tar run as root on another
 * host restores the numbers, as our restore does, rather than mapping names. Content made in memory
 * without a source ({@link #addBytes(String, byte[], Instant)}) is stored as 0644, uid 0, with no
 * attributes in its record.
 *
 * <p>Once an entry has been started, any failure makes the writer refuse further use: the tar is
 * incomplete and the caller must discard the whole output (the backup's staging is deleted). A file
 * that cannot even be opened leaves the writer usable. {@link #finish} does not close the sink.
 */
public final class TarWriter {
    static final int COPY_BUFFER = 256 * 1024;
    private static final int REGULAR_FILE = 0100000; // S_IFREG in the mode field, as archives always had it

    private final TarArchiveOutputStream tar;
    private final FileList.Builder files;
    private final byte[] buffer = new byte[COPY_BUFFER];
    private FileList sealed;
    private boolean failed;
    private boolean finished;

    /** A writer whose file list stays in memory (a few thousand files; tests). */
    public TarWriter(OutputStream sink) {
        this(sink, null);
    }

    /** A writer whose file list spills, when long, into {@code spillDir} (null: java.io.tmpdir). */
    public TarWriter(OutputStream sink, Path spillDir) {
        files = FileList.builder(spillDir);
        tar = new TarArchiveOutputStream(sink, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /**
     * Streams {@code source} into entry {@code name}. The size is taken before copying; if the file
     * shrinks or grows meanwhile the copy fails with an IOException naming the file, rather than
     * archiving a torn snapshot.
     */
    public FileRecord addFile(String name, Path source) throws IOException {
        return addFile(name, source, null);
    }

    /**
     * The same, recording {@code recorded} (null: the source's own) as the file's attributes: a
     * database snapshot is archived as the live database, its mode, owner and mtime.
     */
    public FileRecord addFile(String name, Path source, EntryAttributes recorded) throws IOException {
        checkNew(name);
        BasicFileAttributes attributes = Files.readAttributes(source, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) throw new IOException("cannot archive " + source + ": not a regular file");
        long size = attributes.size();
        EntryAttributes a = recorded != null ? recorded : EntryAttributes.of(source);
        return write(name, size, a, attributes.lastModifiedTime(), () -> Files.newInputStream(source), source.toString(), false);
    }

    /**
     * Archives an append-only file that may grow while it is read (a service log being written):
     * exactly the bytes it had when it was opened, a consistent prefix. Shrinking still fails.
     */
    public FileRecord addAppendOnlyFile(String name, Path source) throws IOException {
        checkNew(name);
        BasicFileAttributes attributes = Files.readAttributes(source, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) throw new IOException("cannot archive " + source + ": not a regular file");
        long size = attributes.size();
        return write(name, size, EntryAttributes.of(source), attributes.lastModifiedTime(), () -> Files.newInputStream(source),
                source.toString(), true);
    }

    /**
     * Archives small in-memory content with the attributes of the file it stands for: a config file with
     * its secrets removed keeps its source's mode and owner; a small file read ahead, its own.
     */
    public FileRecord addBytes(String name, byte[] content, EntryAttributes attributes) throws IOException {
        checkNew(name);
        if (attributes == null) throw new IllegalArgumentException("no attributes for '" + name + "'");
        return write(name, content.length, attributes, null, () -> new ByteArrayInputStream(content), name, false);
    }

    /** Archives small in-memory content that has no source file: 0644, uid 0, no attributes recorded. */
    public FileRecord addBytes(String name, byte[] content, Instant mtime) throws IOException {
        checkNew(name);
        return write(name, content.length, null, FileTime.from(mtime), () -> new ByteArrayInputStream(content), name, false);
    }

    /**
     * Every file written, in archive order: the manifest's {@code files}. Ends the adding of files;
     * {@link #finish} is all that may follow.
     */
    public FileList files() {
        if (sealed == null) sealed = files.seal();
        return sealed;
    }

    /** Writes {@code manifest.json} as the last entry and the tar end-of-archive records. */
    public void finish(byte[] manifestJson) throws IOException {
        finish(new ByteArrayInputStream(manifestJson), manifestJson.length, Instant.now());
    }

    /** The same, the manifest's {@code size} bytes streamed from {@code manifestJson}. */
    public void finish(InputStream manifestJson, long size, Instant mtime) throws IOException {
        ensureUsable();
        files();
        boolean ok = false;
        try {
            putEntry(EntryNames.MANIFEST, size, null, FileTime.from(mtime));
            long copied = 0;
            for (int n; copied < size && (n = manifestJson.read(buffer, 0, (int) Math.min(buffer.length, size - copied))) >= 0; ) {
                tar.write(buffer, 0, n);
                copied += n;
            }
            if (copied != size) throw new IOException("manifest.json ended at " + copied + " of " + size + " bytes");
            tar.closeArchiveEntry();
            tar.finish();
            tar.flush();
            finished = true;
            ok = true;
        } finally {
            if (!ok) failed = true;
        }
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    /** {@code attributes} null: none recorded, the header gets 0644, uid 0 and {@code mtime}. */
    private FileRecord write(String name, long size, EntryAttributes attributes, FileTime mtime, Opener opener, String what,
            boolean mayGrow) throws IOException {
        // A file that cannot be opened (rotated away, say) leaves the tar intact: nothing was written yet.
        try (InputStream in = opener.open()) {
            boolean ok = false;
            try {
                MessageDigest digest = Hashes.sha256();
                putEntry(name, size, attributes, mtime);
                long remaining = size;
                while (remaining > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                    if (n < 0) {
                        throw new IOException(what + " shrank while being archived: expected " + size + " bytes, got " + (size - remaining));
                    }
                    digest.update(buffer, 0, n);
                    tar.write(buffer, 0, n);
                    remaining -= n;
                }
                if (!mayGrow && in.read() >= 0) {
                    throw new IOException(what + " grew while being archived: expected " + size + " bytes");
                }
                tar.closeArchiveEntry();
                FileRecord record = new FileRecord(name, size, Hex.encode(digest.digest()), attributes);
                files.add(record);
                ok = true;
                return record;
            } finally {
                if (!ok) failed = true;
            }
        }
    }

    private void putEntry(String name, long size, EntryAttributes attributes, FileTime mtime) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(size);
        entry.setUserName("");
        entry.setGroupName("");
        if (attributes == null) {
            entry.setMode(REGULAR_FILE | 0644);
            // Whole seconds fit the ustar header; sub-second times would add a PAX header to every entry.
            entry.setLastModifiedTime(FileTime.from(mtime.toInstant().truncatedTo(ChronoUnit.SECONDS)));
        } else {
            entry.setMode(REGULAR_FILE | attributes.mode());
            entry.setLastModifiedTime(FileTime.from(attributes.mtime())); // whole seconds already
            entry.setUserId(attributes.uid());
            entry.setGroupId(attributes.gid());
        }
        tar.putArchiveEntry(entry);
    }

    private void checkNew(String name) {
        ensureUsable();
        String problem = EntryNames.problem(name);
        if (problem == null && name.endsWith("/")) problem = "file name ends with '/'";
        if (problem != null) throw new IllegalArgumentException("tar entry '" + name + "': " + problem);
        if (name.equals(EntryNames.MANIFEST)) throw new IllegalArgumentException("tar entry 'manifest.json' is reserved for the manifest");
    }

    private void ensureUsable() {
        if (failed) throw new IllegalStateException("tar writer failed earlier; the archive is incomplete and must be discarded");
        if (finished) throw new IllegalStateException("tar already finished with manifest.json");
    }
}
