package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.Futures;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveReader;
import io.qontrek.factorydr.archive.CanonicalJson;
import io.qontrek.factorydr.archive.HashingChannelOutput;
import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.ManifestSignature;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an archive back from its file while it is being written, in a second thread, and checks it as
 * {@link io.qontrek.factorydr.archive.ArchiveVerifier} does; the read-back of the whole archive no
 * longer waits, single-threaded, until the last byte is written.
 *
 * <p>What is read is the staged file itself: the checking thread opens it and reads each byte only
 * after the writer has handed that byte to the file ({@link Output} publishes how far it got), so
 * every byte checked is a byte read back from the archive file, as the verifier would read it after
 * the write. The checks, all of the verifier's:
 * <ol type="a">
 *   <li>the file's SHA-256 and size, from this read of the whole file, equal those computed while
 *       writing, which the {@code .sha256} sidecar (read back from disk) must also name;</li>
 *   <li>the {@code .manifest.json} sidecar, read back from disk, parses, its signature verifies, and its
 *       archive name, size and SHA-256 are the file's;</li>
 *   <li>the file decrypts (padding included), its gzip stream is intact (CRC, length, no trailing
 *       bytes) and its tar is intact, with no entry an extraction would refuse;</li>
 *   <li>every tar entry's size and SHA-256 equal the sidecar manifest's, no file missing or extra;</li>
 *   <li>the last entry is {@code manifest.json} and equals the sidecar manifest without archive and
 *       signature (as RFC 8785 canonical JSON).</li>
 * </ol>
 * Reading the bytes as they reach the file rather than after the fsync reads the same bytes: the
 * fsync changes where they are stored, not what they are, and the verifier, too, read them back through
 * the page cache.
 */
final class WrittenArchiveCheck {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final int CHUNK = 256 * 1024;
    private static final String MANIFEST = "manifest.json"; // the tar's last entry (archive.EntryNames.MANIFEST)

    /** The archive's byte stream into its file: counts, hashes and publishes how far the file is written. */
    static final class Output extends HashingChannelOutput {
        private boolean done;
        private boolean aborted;

        Output(FileChannel channel) {
            super(channel);
        }

        @Override
        protected synchronized void written(long total) {
            notifyAll();
        }

        /** Every byte is in the file. */
        synchronized void done() {
            done = true;
            notifyAll();
        }

        /** The write failed: the reader stops. */
        synchronized void abort() {
            aborted = true;
            notifyAll();
        }

        long size() {
            return count();
        }

        /** Waits until more than {@code position} bytes are written; -1 when the write is done at position. */
        synchronized long awaitBeyond(long position) throws IOException {
            while (count() <= position && !done && !aborted) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the archive back");
                }
            }
            if (aborted) throw new IOException("archive write failed");
            long written = count();
            return written > position ? written : -1;
        }
    }

    /** Reads the staged file behind the writer, hashing what it reads. */
    private static final class Following extends InputStream {
        private final Output output;
        private final FileChannel channel;
        private final MessageDigest digest = Hashes.sha256();
        private long position;

        Following(Output output, FileChannel channel) {
            this.output = output;
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            long available = output.awaitBeyond(position);
            if (available < 0) {
                // done: anything beyond what the writer wrote (there should be nothing) still counts
                int n = channel.read(ByteBuffer.wrap(b, off, len), position);
                if (n <= 0) return -1;
                digest.update(b, off, n);
                position += n;
                return n;
            }
            int want = (int) Math.min(len, available - position);
            int n = channel.read(ByteBuffer.wrap(b, off, want), position);
            if (n < 0) throw new IOException("archive file ends at " + position + " bytes, but " + available + " were written");
            digest.update(b, off, n);
            position += n;
            return n;
        }
    }

    /** What the reading thread saw. */
    private record Seen(List<FileRecord> entries, byte[] tarManifest, String problem, long size, String sha256) {}

    private final Path file;
    private final Output output;
    private final Thread thread;
    private volatile Seen seen;
    private volatile Throwable failure;

    private WrittenArchiveCheck(Path file, Output output, byte[] password) {
        this.file = file;
        this.output = output;
        this.thread = new Thread(() -> run(password), "archive-read-back");
        this.thread.setDaemon(true);
    }

    /** Starts reading {@code file} back behind {@code output}, which writes it. */
    static WrittenArchiveCheck start(Path file, Output output, byte[] password) {
        WrittenArchiveCheck check = new WrittenArchiveCheck(file, output, password);
        check.thread.start();
        return check;
    }

    private void run(byte[] password) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Following in = new Following(output, channel);
            List<FileRecord> entries = new ArrayList<>();
            byte[][] tarManifest = {null};
            String[] problem = {null};
            byte[] buffer = new byte[CHUNK];
            try {
                ArchiveReader.read(in, password, (entry, content) -> {
                    if (tarManifest[0] != null && problem[0] == null) {
                        problem[0] = "manifest.json is not the last entry ('" + entry.name() + "' follows it)";
                    }
                    if (entry.type() == ArchiveReader.EntryType.DIRECTORY) return;
                    if (entry.name().equals(MANIFEST)) {
                        tarManifest[0] = content.readAllBytes();
                        return;
                    }
                    MessageDigest digest = Hashes.sha256();
                    long size = 0;
                    for (int n; (n = content.read(buffer)) >= 0; ) {
                        digest.update(buffer, 0, n);
                        size += n;
                    }
                    entries.add(new FileRecord(entry.name(), size, Hex.encode(digest.digest())));
                });
            } catch (ArchiveException e) {
                problem[0] = e.getMessage();
            }
            // whatever the reader did not need still counts for the file's size and SHA-256
            while (in.read(buffer, 0, buffer.length) >= 0) {
                // hashed by Following
            }
            seen = new Seen(entries, tarManifest[0], problem[0], in.position, Hex.encode(in.digest.digest()));
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Stops the reading thread after a failed write. */
    void abort() {
        output.abort();
        join();
    }

    private void join() {
        Futures.joinUninterruptibly(thread);
    }

    /**
     * After the write is done and the sidecars are written: waits for the read-back and checks (a) to
     * (e) above against the sidecars read back from disk. Fails with one line naming the first problem.
     */
    void verify(byte[] signingSecret) throws IOException {
        join();
        String x = file.getFileName().toString();
        if (failure != null) {
            if (failure instanceof IOException io) throw new ArchiveException(x + ": cannot read back: " + io.getMessage(), io);
            if (failure instanceof RuntimeException re) throw re;
            throw new IllegalStateException("read-back of " + x + " failed", failure);
        }
        Seen s = seen;
        // (a) the whole file was read back and is what was written, and the .sha256 sidecar names it
        if (s.size() != output.size()) throw new ArchiveException(x + ": read back " + s.size() + " bytes, wrote " + output.size());
        String sidecarSha = Sidecars.readSha256(file);
        if (!s.sha256().equals(sidecarSha)) throw new ArchiveException(x + ": SHA-256 does not match " + x + ".sha256");
        // (b) the manifest sidecar
        Manifest manifest = Sidecars.readManifest(file);
        String sidecar = Sidecars.manifestPath(file).getFileName().toString();
        if (!ManifestSignature.verify(manifest, signingSecret)) throw new ArchiveException(sidecar + ": signature does not verify");
        String name = manifest.archive().name();
        if (!name.equals(x) && !name.endsWith("/" + x)) throw new ArchiveException(sidecar + ": archive.name '" + name + "' is not " + x);
        if (manifest.archive().size() != s.size()) {
            throw new ArchiveException(sidecar + ": archive.size " + manifest.archive().size() + " but " + x + " is " + s.size() + " bytes");
        }
        if (!manifest.archive().sha256().equals(s.sha256())) throw new ArchiveException(sidecar + ": archive.sha256 does not match " + x);
        // (c) the layers
        if (s.problem() != null && s.tarManifest() == null) throw new ArchiveException(x + ": " + s.problem());
        // (d) the files
        Map<String, FileRecord> expected = new HashMap<>();
        for (FileRecord f : manifest.files()) expected.put(f.path(), f);
        Set<String> found = new HashSet<>();
        for (FileRecord got : s.entries()) {
            FileRecord want = expected.get(got.path());
            if (want == null) throw new ArchiveException(x + ": '" + got.path() + "' is in the archive but not in the manifest");
            if (!found.add(got.path())) throw new ArchiveException(x + ": '" + got.path() + "' appears twice in the archive");
            if (want.size() != got.size()) {
                throw new ArchiveException(x + ": '" + got.path() + "' is " + got.size() + " bytes, the manifest says " + want.size());
            }
            if (!want.sha256().equals(got.sha256())) throw new ArchiveException(x + ": '" + got.path() + "' SHA-256 differs from the manifest");
        }
        for (FileRecord want : manifest.files()) {
            if (!found.contains(want.path())) throw new ArchiveException(x + ": '" + want.path() + "' is in the manifest but missing from the archive");
        }
        // (e) manifest.json, last
        if (s.problem() != null) throw new ArchiveException(x + ": " + s.problem());
        if (s.tarManifest() == null) throw new ArchiveException(x + ": no manifest.json entry in the archive");
        try {
            byte[] want = CanonicalJson.sha256(manifest.toJson(false)); // one manifest tree in memory at a time
            JsonNode got = JSON.readTree(s.tarManifest());
            if (got == null || !Arrays.equals(CanonicalJson.sha256(got), want)) {
                throw new ArchiveException(x + ": manifest.json in the archive differs from the sidecar manifest");
            }
        } catch (ArchiveException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new ArchiveException(x + ": manifest.json in the archive is not valid manifest JSON: " + e.getMessage());
        }
    }
}
