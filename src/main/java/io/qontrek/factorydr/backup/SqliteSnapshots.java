package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.Futures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The full backup's database snapshots, taken in a background thread while the tar already archives
 * the proof files that come before the databases in the archive. In order: every database is copied
 * with {@code VACUUM INTO}, one after the other in the order given (ledger before nonce store, see
 * {@link BackupCollector}), each made available to the tar as soon as it is copied; then the ledger
 * head is read from the ledger copy; then each copy's {@code PRAGMA integrity_check} runs while the tar
 * compresses it.
 *
 * <p>Why checking a copy while it is archived is as safe as checking it before: the check's verdict
 * gates the archive, not the reading. {@link StagedArchive#verifyReadBack} calls {@link #awaitChecked} before the
 * archive is verified and given its name; a copy that fails the check fails the backup with the same
 * message as before ("snapshot of X fails integrity_check: ..."), and the staged archive is deleted, so
 * no archive holding an unchecked database is ever stored. The check opens the copy read-only in the
 * rollback-journal mode {@code VACUUM INTO} gives it, so it never changes the bytes being archived.
 */
public final class SqliteSnapshots implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqliteSnapshots.class);
    private final Map<Path, CompletableFuture<Path>> copies = new LinkedHashMap<>();
    private final CompletableFuture<BackupSet.Head> ledgerHead = new CompletableFuture<>();
    private final CompletableFuture<List<io.qontrek.factorydr.archive.Manifest.Database>> databases = new CompletableFuture<>();
    private final CompletableFuture<Void> checked = new CompletableFuture<>();
    private final Thread worker;
    private volatile boolean cancelled;

    /**
     * Starts the snapshots of {@code live -> target} (in map order); {@code ledgerCopy} is the target
     * whose ledger head the manifest records, or null. Missing or unreadable databases and taken targets
     * are refused here, before anything starts.
     */
    public SqliteSnapshots(Map<Path, Path> liveToTarget, Path ledgerCopy, int busyTimeoutSeconds) throws IOException {
        for (Map.Entry<Path, Path> e : liveToTarget.entrySet()) {
            SqliteSnapshot.refuseEarly(e.getKey(), e.getValue());
            copies.put(e.getValue(), new CompletableFuture<>());
        }
        Map<Path, Path> jobs = new LinkedHashMap<>(liveToTarget);
        worker = new Thread(() -> run(jobs, ledgerCopy, busyTimeoutSeconds), "sqlite-snapshots");
        worker.setDaemon(true);
        worker.start();
    }

    private void run(Map<Path, Path> jobs, Path ledgerCopy, int busyTimeoutSeconds) {
        List<Map.Entry<Path, Path>> done = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (Map.Entry<Path, Path> e : jobs.entrySet()) {
                if (cancelled) throw new IOException("snapshots cancelled");
                SqliteSnapshot.copy(e.getKey(), e.getValue(), busyTimeoutSeconds);
                copies.get(e.getValue()).complete(e.getValue());
                LOG.info("snapshot of {} taken ({} ms since start)", e.getKey().getFileName(), (System.nanoTime() - t0) / 1_000_000);
                done.add(e);
            }
            ledgerHead.complete(ledgerCopy == null ? null : SqliteSnapshot.ledgerHead(ledgerCopy));
            // each runtime database's head, read from its copy, for the next incremental to build on
            List<io.qontrek.factorydr.archive.Manifest.Database> heads = new ArrayList<>();
            for (Map.Entry<Path, Path> e : done) {
                for (io.qontrek.factorydr.runtime.RuntimeDatabase db : io.qontrek.factorydr.runtime.RuntimeDatabase.inOrder()) {
                    if (!e.getValue().getFileName().toString().equals(db.fileName())) continue;
                    var head = DatabaseDelta.head(e.getValue(), db);
                    heads.add(new io.qontrek.factorydr.archive.Manifest.Database(db.dbName(),
                            io.qontrek.factorydr.archive.Manifest.Database.Form.WHOLE, "data/" + db.fileName(), head.rows(), null, head, null));
                }
            }
            databases.complete(heads);
            for (Map.Entry<Path, Path> e : done) {
                if (cancelled) throw new IOException("snapshots cancelled");
                String check = SqliteSnapshot.integrityCheckReadOnly(e.getValue());
                if (!check.equals("ok")) {
                    throw new IOException("snapshot of " + e.getKey() + " fails integrity_check: " + check);
                }
            }
            LOG.info("snapshots pass integrity_check ({} ms since start)", (System.nanoTime() - t0) / 1_000_000);
            checked.complete(null);
        } catch (Throwable t) {
            for (CompletableFuture<Path> f : copies.values()) f.completeExceptionally(t);
            ledgerHead.completeExceptionally(t);
            databases.completeExceptionally(t);
            checked.completeExceptionally(t);
        }
    }

    /** A future that completes with {@code target} once its copy is made (for the tar to archive). */
    public Future<Path> copy(Path target) {
        CompletableFuture<Path> f = copies.get(target);
        if (f == null) throw new IllegalArgumentException("no snapshot into " + target);
        return f;
    }

    /** The ledger head of the ledger copy (waits for it). */
    public BackupSet.Head ledgerHead() throws IOException {
        return await(ledgerHead);
    }

    /** What the manifest says of each runtime database copied (whole, with its head), in copy order (waits for them). */
    public List<io.qontrek.factorydr.archive.Manifest.Database> databases() throws IOException {
        return await(databases);
    }

    /** Waits for every copy's integrity check; fails with the first copy that fails it. */
    public void awaitChecked() throws IOException {
        await(checked);
    }

    static <T> T await(Future<T> f) throws IOException {
        return Futures.await(f, "the database snapshots");
    }

    /** Stops after the step under way (nothing more is started) and waits for it, so the copies can be deleted. */
    @Override
    public void close() {
        cancelled = true;
        Futures.joinUninterruptibly(worker);
    }
}
