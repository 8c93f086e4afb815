package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.EntryAttributes;
import io.qontrek.factorydr.archive.FileList;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestJson;
import io.qontrek.factorydr.archive.TarWriter;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.common.Spool;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An archive on its way out, as the backup route builds it step by step: a tar of a
 * {@link BackupSet}, then the encoding stages the route added after it (gzip, encrypt). Nothing
 * is written until {@link #writeTo} runs every stage in one streaming pass, each stage an
 * OutputStream wrapped around the next, so memory stays flat whatever the archive's size.
 * (Camel's marshal steps would each buffer their whole output before the next step starts.)
 *
 * <p>Small files are read ahead by several threads ({@link ReadAhead}); a database snapshot still being
 * taken in the background is waited for when the tar reaches it ({@link SqliteSnapshots}).
 */
public final class ArchivePipeline {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ArchivePipeline.class);

    /** An encoding stage: wraps the stream its output goes to. */
    @FunctionalInterface
    public interface Stage {
        OutputStream wrap(OutputStream downstream) throws IOException;
    }

    private record Named(String name, Stage stage) {}

    private final BackupSet set;
    private final List<Named> stages = new ArrayList<>();

    private ArchivePipeline(BackupSet set) {
        this.set = set;
    }

    /** The first step: the set's entries become a POSIX tar. */
    public static ArchivePipeline tar(BackupSet set) {
        return new ArchivePipeline(set);
    }

    /** Adds the next encoding stage, applied to everything the earlier steps produce. */
    public ArchivePipeline then(String name, Stage stage) {
        stages.add(new Named(name, stage));
        return this;
    }

    public BackupSet set() {
        return set;
    }

    /** The steps in flow order, e.g. [tar, gzip, encrypt]. */
    public List<String> steps() {
        List<String> out = new ArrayList<>();
        out.add("tar");
        stages.forEach(s -> out.add(s.name()));
        return out;
    }

    /**
     * Streams the archive into sink: tar of every entry, then manifest.json (the canonical in-tar form of
     * what {@code manifest} makes of the file list) as the last entry, through every stage. The in-tar
     * manifest is first written to an unlinked scratch file in {@code spillDir}, since the tar header
     * needs its size; the file list, too, spills there. Closes the stages but not sink.
     */
    public FileList writeTo(OutputStream sink, Function<FileList, Manifest> manifest, Path spillDir, ProgressListener progress)
            throws IOException {
        OutputStream out = new FilterOutputStream(sink) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                sink.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the caller owns sink: it fsyncs and closes it
            }
        };
        for (int i = stages.size() - 1; i >= 0; i--) {
            out = stages.get(i).stage().wrap(out);
        }
        try (OutputStream encoded = out; ReadAhead ahead = new ReadAhead(set.entries().iterator())) {
            TarWriter tar = new TarWriter(encoded, spillDir);
            long files = 0;
            long bytes = 0;
            for (ReadAhead.Item item; (item = next(ahead)) != null; ) {
                BackupSet.Entry e = item.entry();
                FileRecord r;
                ReadAhead.Read read = item.read() == null ? null : ReadAhead.take(item);
                if (e.bytes() != null) {
                    EntryAttributes recorded = e.recordedAs() == null ? null : EntryAttributes.of(e.recordedAs());
                    r = recorded != null ? tar.addBytes(e.path(), e.bytes(), recorded)
                            : tar.addBytes(e.path(), e.bytes(), e.mtime() != null ? e.mtime() : lastModified(e.recordedAs()));
                } else if (read != null && read.gone()) {
                    LOG.warn("{} was rotated away before it could be archived; left out", e.source());
                    continue;
                } else if (read != null && !read.large()) {
                    // a small file, already read (and checked as addFile would) by a read-ahead thread
                    r = read.attributes() != null ? tar.addBytes(e.path(), read.bytes(), read.attributes())
                            : tar.addBytes(e.path(), read.bytes(), read.mtime());
                } else if (e.appendOnly()) {
                    try {
                        r = tar.addAppendOnlyFile(e.path(), e.source());
                    } catch (java.nio.file.NoSuchFileException gone) {
                        LOG.warn("{} was rotated away before it could be archived; left out", e.source());
                        continue;
                    }
                } else {
                    if (e.pending() != null) { // a snapshot still being taken
                        long t0 = System.nanoTime();
                        SqliteSnapshots.await(e.pending());
                        long waited = (System.nanoTime() - t0) / 1_000_000;
                        if (waited > 0) LOG.info("{}: waited {} ms for its snapshot", e.path(), waited);
                    }
                    // a snapshot or delta is archived with the live database's mode, owner and mtime
                    r = tar.addFile(e.path(), e.source(), e.recordedAs() == null ? null : EntryAttributes.of(e.recordedAs()));
                }
                files++;
                bytes += r.size();
                progress.progress(files, bytes);
            }
            FileList records = tar.files();
            boolean ok = false;
            try (FileChannel inTar = Spool.openUnlinked(spillDir, ".manifest-")) {
                OutputStream json = new BufferedOutputStream(Channels.newOutputStream(inTar), 1 << 16);
                ManifestJson.writeCanonical(manifest.apply(records), ManifestJson.Form.IN_TAR, json);
                json.flush();
                long size = inTar.position();
                inTar.position(0);
                tar.finish(new BufferedInputStream(Channels.newInputStream(inTar), 1 << 16), size, java.time.Instant.now());
                ok = true;
            } finally {
                if (!ok) records.close();
            }
            return records;
        }
    }

    private static java.time.Instant lastModified(Path file) throws IOException {
        return java.nio.file.Files.getLastModifiedTime(file).toInstant();
    }

    /** The set's next entry; a listing that fails half-way is the backup's failure. */
    private static ReadAhead.Item next(ReadAhead ahead) throws IOException {
        try {
            return ahead.next();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
