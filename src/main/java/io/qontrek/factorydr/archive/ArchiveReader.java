package io.qontrek.factorydr.archive;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The mirror of the archive-store route's write chain (tar, gzip, encrypt): decrypt, gunzip, untar in one streaming pass, handing each entry
 * to a visitor. It reads its input to the very end, so the CBC padding, the gzip CRC and trailing bytes
 * are all checked even when the visitor stops caring.
 *
 * <p>It refuses, naming the entry, anything an extraction could be tricked by: symbolic and hard
 * links, devices, FIFOs, sparse or other special entries, and names that are absolute or contain
 * {@code ..}. Failures are {@link ArchiveException}s that say which layer failed: {@code "wrong key or
 * corrupt archive"}, {@code "gzip: ..."}, {@code "tar: ..."}.
 */
public final class ArchiveReader {
    private static final int BUFFER = 64 * 1024;

    private ArchiveReader() {}

    /** Regular files and directories, the only entries an archive of ours contains. */
    public enum EntryType { FILE, DIRECTORY }

    /**
     * One tar entry, as far as restore and verify care: {@code mode} as the header has it (our
     * archives add S_IFREG to a file's permission bits), numeric owner and group.
     */
    public record Entry(String name, long size, int mode, EntryType type, Instant mtime, long uid, long gid) {
        /** The header's attributes, as a manifest records them (permission bits only). */
        public EntryAttributes attributes() {
            return new EntryAttributes(mode & 07777, mtime, uid, gid);
        }
    }

    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * Called once per entry in archive order. {@code content} is the entry's bytes (empty for a
         * directory); it must not be used after the call returns, and closing it is harmless.
         */
        void visit(Entry entry, InputStream content) throws IOException;
    }

    /** Reads an {@code openssl enc} encrypted .tar.gz. Does not close {@code encrypted}. */
    public static void read(InputStream encrypted, byte[] password, EntryVisitor visitor) throws IOException {
        // closed at the end, which frees and clears the cipher's key schedule; the caller's stream stays open
        InputStream source = new Layer("read", new Unclosable(encrypted));
        try (BufferedInputStream plain = new BufferedInputStream(OpensslCipher.decrypting(source, password), BUFFER)) {
            // A wrong key turns the first block into noise; say so rather than "not in gzip format".
            plain.mark(2);
            int b1 = plain.read();
            int b2 = plain.read();
            plain.reset();
            if (b1 != 0x1f || b2 != 0x8b) throw new FirstBlockNotGzip();
            try {
                readTarGz(plain, visitor);
            } catch (ArchiveException symptom) {
                throw rootCause(symptom, plain);
            }
            plain.transferTo(OutputStream.nullOutputStream()); // end of stream: the padding check
        }
    }

    /** Reads a plain .tar.gz to the end of its last gzip member. Does not close {@code tarGz}. */
    public static void readTarGz(InputStream tarGz, EntryVisitor visitor) throws IOException {
        InputStream gunzip;
        try {
            gunzip = Gzip.decompressing(new Unclosable(tarGz));
        } catch (IOException e) {
            throw Layer.wrap("gzip", e);
        }
        InputStream gzip = new Layer("gzip", gunzip);
        // gunzip and everything below it run ahead of the tar reader on other cores: our archives'
        // members on every core, any other gzip a few chunks ahead on a second one
        try (InputStream ahead = Gzip.readsAhead(gunzip) ? gzip : new ReadAheadInputStream(gzip)) {
            try {
                readTar(ahead, visitor);
            } catch (ArchiveException symptom) {
                throw rootCause(symptom, ahead);
            }
            ahead.transferTo(OutputStream.nullOutputStream()); // tar padding, gzip trailer, no trailing garbage
        }
    }

    /**
     * A damaged byte usually shows first as a symptom in the layer above (garbage tar header, bad deflate
     * data) and only at the end as its cause (gzip CRC, CBC padding). Reading the lower layer to its end
     * finds the cause; if that layer is intact, the symptom is the real failure (a hostile entry, say).
     */
    private static ArchiveException rootCause(ArchiveException symptom, InputStream lower) {
        try {
            lower.transferTo(OutputStream.nullOutputStream());
        } catch (ArchiveException cause) {
            if (cause != symptom) {
                cause.addSuppressed(symptom);
                return cause;
            }
        } catch (IOException | RuntimeException ignored) {
            // not a verdict on the archive: report the symptom we have
        }
        return symptom;
    }

    /** Reads a plain tar up to its end-of-archive records. Does not close {@code tar}. */
    public static void readTar(InputStream tar, EntryVisitor visitor) throws IOException {
        TarArchiveInputStream in = new TarArchiveInputStream(new Unclosable(tar), StandardCharsets.UTF_8.name());
        InputStream content = new Unclosable(new Layer("tar", in));
        while (true) {
            TarArchiveEntry entry;
            try {
                entry = in.getNextEntry();
            } catch (IOException e) {
                throw Layer.wrap("tar", e);
            } catch (RuntimeException e) {
                // a crafted header can trip commons-compress's parsers; it is still "a corrupt tar"
                throw new ArchiveException("tar: malformed entry header: " + e.getMessage(), e);
            }
            if (entry == null) return;
            visitor.visit(check(entry), content);
        }
    }

    private static Entry check(TarArchiveEntry e) throws ArchiveException {
        String name = e.getName();
        String problem = EntryNames.problem(name);
        if (problem != null) throw new ArchiveException("refusing tar entry '" + name + "': " + problem);
        if (e.isSymbolicLink()) throw refused(name, "symbolic link to '" + e.getLinkName() + "'");
        if (e.isLink()) throw refused(name, "hard link to '" + e.getLinkName() + "'");
        if (e.isCharacterDevice() || e.isBlockDevice()) throw refused(name, "device");
        if (e.isFIFO()) throw refused(name, "FIFO");
        if (e.isSparse()) throw refused(name, "sparse file");
        byte flag = e.getLinkFlag();
        if (flag == TarConstants.LF_DIR) {
            return new Entry(name, 0, e.getMode(), EntryType.DIRECTORY, e.getModTime().toInstant(), e.getLongUserId(), e.getLongGroupId());
        }
        if ((flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM) && !name.endsWith("/")) {
            return new Entry(name, e.getSize(), e.getMode(), EntryType.FILE, e.getModTime().toInstant(), e.getLongUserId(), e.getLongGroupId());
        }
        throw refused(name, "unsupported entry type '" + (char) flag + "'");
    }

    private static ArchiveException refused(String name, String why) {
        return new ArchiveException("refusing tar entry '" + name + "': " + why);
    }

    /** Labels I/O failures with the layer they happened in; inner layers' ArchiveExceptions pass unchanged. */
    private static final class Layer extends FilterInputStream {
        private final String name;

        Layer(String name, InputStream in) {
            super(in);
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw wrap(name, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw wrap(name, e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (IOException e) {
                throw wrap(name, e);
            }
        }

        static ArchiveException wrap(String layer, IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ArchiveException archive) return archive;
            }
            return new ArchiveException(layer + ": " + e.getMessage(), e);
        }
    }

    /** Lets a visitor or a decompressor close its view without closing the stream underneath. */
    private static final class Unclosable extends FilterInputStream {
        Unclosable(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }

        @Override
        public void close() {}
    }
}
