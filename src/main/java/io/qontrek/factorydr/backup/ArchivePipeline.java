package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.TarWriter;
import io.qontrek.factorydr.common.ProgressListener;
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
     * Streams the archive into sink: tar of every entry, then manifest.json (made from the file
     * records) as the last entry, through every stage. Closes the stages but not sink.
     */
    public List<FileRecord> writeTo(OutputStream sink, Function<List<FileRecord>, byte[]> manifestJson,
            ProgressListener progress) throws IOException {
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
        List<BackupSet.Entry> entries = set.entries();
        try (OutputStream encoded = out; ReadAhead ahead = new ReadAhead(entries)) {
            TarWriter tar = new TarWriter(encoded);
            long files = 0;
            long bytes = 0;
            for (int i = 0; i < entries.size(); i++) {
                BackupSet.Entry e = entries.get(i);
                FileRecord r;
                if (e.bytes() != null) {
                    r = tar.addBytes(e.path(), e.bytes(), e.mtime());
                } else if (ahead.covers(i)) {
                    // a small file, already read (and checked as addFile would) by a read-ahead thread
                    ReadAhead.Read read = ahead.take(i);
                    if (read.gone()) {
                        LOG.warn("{} was rotated away before it could be archived; left out", e.source());
                        continue;
                    }
                    r = tar.addBytes(e.path(), read.bytes(), read.mtime());
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
                    r = tar.addFile(e.path(), e.source());
                }
                files++;
                bytes += r.size();
                progress.progress(files, bytes);
            }
            List<FileRecord> records = tar.files();
            tar.finish(manifestJson.apply(records));
            return records;
        }
    }
}
