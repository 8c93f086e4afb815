package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.config.RuntimeLayout;

import io.qontrek.factorydr.common.ProgressListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Generates a realistic factory runtime that follows the runtime contract exactly: a proof chain
 * with daily digests and receipt index, a federation ledger with its nonce store, config with
 * planted secrets, and service and alert logs. Backups, restores and drills are tested against it.
 *
 * <p>Same options (seed and end included), same bytes. The proof chain, the ledger and the logs are
 * independent, so they are written by three threads, each from its own random stream split off the
 * seed in a fixed order. Nothing is fsynced: this is sample data, written into a new directory.
 */
public final class SampleRuntime {
    private SampleRuntime() {}

    /**
     * What to generate. {@code end} is the newest proof's time (whole seconds); proofs, ledger rows
     * and alert logs spread over the {@code days} days before it.
     */
    public record Options(int proofs, int days, int ledgerRows, int logMb, int leavesPerProof, String towerSecret,
                          Instant end, long seed) {
        public Options {
            require(proofs >= 1, "proofs", proofs, ">= 1");
            require(days >= 1, "days", days, ">= 1");
            require(ledgerRows >= 0, "ledgerRows", ledgerRows, ">= 0");
            require(logMb >= 0, "logMb", logMb, ">= 0");
            require(leavesPerProof >= 0, "leavesPerProof", leavesPerProof, ">= 0");
            if (towerSecret == null || towerSecret.isEmpty()) {
                throw new IllegalArgumentException("towerSecret must not be empty");
            }
            if (end == null) {
                throw new IllegalArgumentException("end must be set");
            }
            end = end.truncatedTo(ChronoUnit.SECONDS);
        }

        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Never prints the tower secret. */
        @Override
        public String toString() {
            return "Options[proofs=" + proofs + ", days=" + days + ", ledgerRows=" + ledgerRows + ", logMb=" + logMb
                    + ", leavesPerProof=" + leavesPerProof + ", towerSecret=<redacted>, end=" + end
                    + ", seed=" + seed + "]";
        }

        private static void require(boolean ok, String name, int value, String rule) {
            if (!ok) {
                throw new IllegalArgumentException(name + " must be " + rule + ", was " + value);
            }
        }
    }

    /** Options with the defaults: 200 proofs over 3 days, 500 ledger rows, 2 MiB of logs, 8 leaves a proof. */
    public static final class Builder {
        private int proofs = 200;
        private int days = 3;
        private int ledgerRows = 500;
        private int logMb = 2;
        private int leavesPerProof = 8;
        private String towerSecret;
        private Instant end;
        private long seed = 20251023L;

        private Builder() {}

        public Builder proofs(int proofs) { this.proofs = proofs; return this; }
        public Builder days(int days) { this.days = days; return this; }
        public Builder ledgerRows(int ledgerRows) { this.ledgerRows = ledgerRows; return this; }
        public Builder logMb(int logMb) { this.logMb = logMb; return this; }
        public Builder leavesPerProof(int leavesPerProof) { this.leavesPerProof = leavesPerProof; return this; }
        /** Default: derived from the seed, so a default runtime is reproducible; read it back from the options. */
        public Builder towerSecret(String towerSecret) { this.towerSecret = towerSecret; return this; }
        /** Default: now, to the second. */
        public Builder end(Instant end) { this.end = end; return this; }
        public Builder seed(long seed) { this.seed = seed; return this; }

        public Options build() {
            String secret = towerSecret != null ? towerSecret
                    : "sample-tower-" + Long.toHexString(new SplittableRandom(~seed).nextLong());
            return new Options(proofs, days, ledgerRows, logMb, leavesPerProof, secret,
                    end != null ? end : Instant.now(), seed);
        }
    }

    /**
     * What was generated. {@code plantedSecrets} maps where each secret was planted to its value (for
     * a PEM, its first body line); {@code secretFiles} are the config files a backup must leave out,
     * relative to the root with '/'. {@code files} and {@code bytes} count every file written.
     */
    public record Summary(long files, long bytes, long proofFiles, long digestFiles, long ledgerRows, int peers,
                          long logFiles, long alertLogFiles, ProofHead proofHead, LedgerHead ledgerHead,
                          LocalDate firstDay, LocalDate lastDay, Map<String, String> plantedSecrets,
                          List<String> secretFiles) {

        public Collection<String> secretValues() {
            return plantedSecrets.values();
        }

        /** Never prints the planted secret values, only where they are. */
        @Override
        public String toString() {
            return "Summary[files=" + files + ", bytes=" + bytes + ", proofFiles=" + proofFiles + ", digestFiles="
                    + digestFiles + ", ledgerRows=" + ledgerRows + ", peers=" + peers + ", logFiles=" + logFiles
                    + ", alertLogFiles=" + alertLogFiles + ", proofHead=" + proofHead + ", ledgerHead=" + ledgerHead
                    + ", firstDay=" + firstDay + ", lastDay=" + lastDay + ", plantedSecrets=" + plantedSecrets.keySet()
                    + ", secretFiles=" + secretFiles + "]";
        }
    }

    /**
     * Generates a runtime under {@code root} (proof/, config/, data/, logs/), which must be new or
     * empty. {@code progress} (may be null) hears running totals of files and bytes.
     */
    public static Summary generate(Path given, Options o, ProgressListener progress) throws IOException {
        Path root = given.toAbsolutePath(); // a relative root and the absolute paths under it must relativize
        refuseNonEmpty(root);
        RuntimeLayout layout = RuntimeLayout.under(root);
        Progress totals = new Progress(progress);
        SplittableRandom seed = new SplittableRandom(o.seed());
        SplittableRandom configRandom = seed.split();
        SplittableRandom proofsRandom = seed.split();
        SplittableRandom ledgerRandom = seed.split();
        SplittableRandom logsRandom = seed.split();

        SampleConfig.Result config = new SampleConfig(root, layout, o, configRandom, totals).write();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "sample-runtime-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            Future<SampleProofs.Result> proofs = workers.submit(() -> new SampleProofs(layout, o, proofsRandom, totals).write());
            Future<SampleLedger.Result> ledger = workers.submit(() -> new SampleLedger(layout, o, ledgerRandom, totals).write());
            Future<SampleLogs.Result> logs = workers.submit(() -> new SampleLogs(layout, o, logsRandom, totals).write());
            SampleProofs.Result p = await(proofs, "proof chain");
            SampleLedger.Result l = await(ledger, "ledger");
            SampleLogs.Result g = await(logs, "logs");
            totals.finish();
            return new Summary(totals.files(), totals.bytes(), p.proofFiles(), p.digestFiles(), l.rows(), l.peers(),
                    g.logFiles(), g.alertFiles(), p.head(), l.head(), p.firstDay(), p.lastDay(),
                    config.plantedSecrets(), config.secretFiles());
        } finally {
            // A part that failed leaves the others to stop at their next check, and none is
            // still writing under root when generate returns or throws.
            workers.shutdownNow();
            awaitStopped(workers);
        }
    }

    /** Called by each part between batches: gives up when generate has been abandoned. */
    static void stopIfCancelled(String part) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("sample " + part + " cancelled");
        }
    }

    private static void awaitStopped(ExecutorService workers) throws IOException {
        try {
            if (!workers.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IOException("sample runtime parts still running after 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping the sample runtime parts");
        }
    }

    private static <T> T await(Future<T> part, String name) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating the sample " + name, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof SQLException sql) {
                throw new IOException("generating the sample " + name + ": " + sql.getMessage(), sql);
            }
            if (cause instanceof RuntimeException re) throw re;
            throw new IOException("generating the sample " + name + ": " + cause, cause);
        }
    }

    private static void refuseNonEmpty(Path root) throws IOException {
        if (Files.isDirectory(root)) {
            try (Stream<Path> entries = Files.list(root)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(root + ": not empty; a sample runtime is generated only into a new or empty directory");
                }
            }
        } else if (Files.exists(root)) {
            throw new IOException(root + ": exists and is not a directory");
        }
        Files.createDirectories(root);
    }
}
