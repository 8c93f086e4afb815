package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveReader;
import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.archive.WrongKeyException;
import io.qontrek.factorydr.backup.WorkDir;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.common.TestPause;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.restore.CatalogRebuilder;
import io.qontrek.factorydr.restore.OlderFull;
import io.qontrek.factorydr.restore.RestoreException;
import io.qontrek.factorydr.restore.RestoreJob;
import io.qontrek.factorydr.restore.RestorePlan;
import io.qontrek.factorydr.restore.RestorePlanner;
import io.qontrek.factorydr.restore.Leftovers;
import io.qontrek.factorydr.restore.RestoreStaging;
import io.qontrek.factorydr.restore.RuntimeSwap;
import io.qontrek.factorydr.restore.SafeExtractor;
import io.qontrek.factorydr.restore.StagedRuntimeCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The beans of routes/restore.camel.yaml. The body is a {@link RestoreJob}; each step fills in its
 * part: plan -> verify the set -> stage -> check the staged runtime -> swap (or describe, for a dry run).
 */
final class RestoreBeans {
    private RestoreBeans() {}

    static void bindAll(BiConsumer<String, Object> bind, RuntimeLayout layout, Catalog catalog, Secrets secrets,
            Supplier<Instant> now, boolean offsiteEnabled) {
        // first of all: a swap a restore that is gone left half-done (taken back here; a dry run only
        // refuses it: it changes nothing); what killed runs left waits for deleteDeadWork
        bind.accept("sweepRestoreLeftovers", (Processor) ex -> {
            RestoreJob job = job(ex);
            job.deadWork.addAll(Leftovers.sweepForRestore(job.target, layout.archiveDir(), !job.dryRun));
        });
        bind.accept("planRestore", (Processor) ex -> {
            RestoreJob job = job(ex);
            if (job.archive != null) {
                job.archives.add(job.archive);
                if (!job.deadWork.isEmpty()) { // only then asked: is there room beside it?
                    job.roomNeeded = catalog.archives().stream().filter(e -> layout.archiveDir().resolve(e.name()).equals(job.archive))
                            .mapToLong(RestoreBeans::roomNeeded).findFirst().orElse(-1); // an archive from elsewhere: not known
                }
                return;
            }
            RestorePlan plan = RestorePlanner.plan(catalog.archives(), job.requested, now.get());
            job.roomNeeded = 0;
            for (CatalogEntry e : plan.archives()) {
                job.archives.add(layout.archiveDir().resolve(e.name()));
                job.names.add(e.name());
                job.backupIds.add(e.backupId());
                job.roomNeeded += roomNeeded(e);
            }
        });
        bind.accept("verifyAndStageRestore", (Processor) ex -> {
            RestoreJob job = job(ex);
            RuntimeSwap.checkLinks(job.target, job.scope,
                    job.target.root().toAbsolutePath().normalize().equals(layout.root().toAbsolutePath().normalize()));
            job.madeTarget = !Files.exists(job.target.root());
            OwnerOnly.directories(job.target.root()); // a new --target, or the drill's staged runtime: 0700
            if (!job.deadWork.isEmpty() && !RestoreStaging.fitsBesideDead(job.target.root(), job.roomNeeded)) {
                deleteDeadWork(job, "first, to make room for this restore (" + (job.roomNeeded < 0 ? "its size is not in the catalog"
                        : String.format("about %,d MB to write", job.roomNeeded / 1_000_000)) + ")", progress(ex));
            }
            job.staging = RestoreStaging.create(job.target, now.get()); // 0700: nobody else looks in
            ProgressListener progress = progress(ex);
            for (Path archive : job.archives) {
                if (!Files.isRegularFile(archive)) {
                    throw new RestoreException("archive " + archive + " is missing from the archive directory"
                            + (offsiteEnabled ? " and could not be fetched from offsite" : " and offsite copies are off (factory.s3.enabled)"));
                }
                // one read of the archive: every entry is hashed against the signed manifest while it is
                // written into staging; nothing staged counts unless the whole archive verifies
                SafeExtractor.Extraction extraction = SafeExtractor.into(job.staging, job.scope::wants);
                long filesBefore = job.files;
                long bytesBefore = job.bytes;
                // lists of a million files spill beside staging (never into it: it becomes the runtime)
                ArchiveVerifier verifier = new ArchiveVerifier(job.staging.getParent());
                try (extraction; Manifest m = verifyOrAdvise(verifier, archive, job, layout, catalog, secrets, (entry, content) -> {
                    extraction.visit(entry, content);
                    if (extraction.files() == 1) TestPause.at("restore-extracting");
                    progress.progress(filesBefore + extraction.files(), bytesBefore + extraction.bytes());
                }).manifest()) {
                    SafeExtractor.ExtractResult r = extraction.finish();
                    if (r.foreignOwners() > 0) {
                        job.checks.add(r.foreignOwners() + " files of " + archive.getFileName() + " keep the restoring user as owner:"
                                + " only root gives files back their recorded owner and group");
                    }
                    job.proofFilesReplaced += r.replacedProofFiles();
                    job.files += r.files();
                    job.bytes += r.bytes();
                    if (job.scope == RuntimeSwap.Scope.ALL || job.scope == RuntimeSwap.Scope.LEDGER) {
                        // an incremental's database deltas go onto the copies the archives before it staged
                        job.checks.addAll(io.qontrek.factorydr.restore.DeltaReplay.apply(job.stagedLayout().dataDir(), m,
                                m.archive() != null ? m.archive().name() : archive.getFileName().toString(), job.databaseHeads));
                        if (m.databases() != null) {
                            for (var d : m.databases()) {
                                if (d.form() == io.qontrek.factorydr.archive.Manifest.Database.Form.DELTA) job.databasesReplayed.add(d.name() + ".db");
                                else job.databasesReplayed.remove(d.name() + ".db");
                            }
                        }
                    }
                    if (job.archive != null) job.backupIds.add(m.backupId());
                    job.keepLive.addAll(m.skipped());
                    job.keepLive.addAll(m.redacted());
                }
            }
        });
        // durable before anything live is touched: one syncfs, while checkStagedRestore runs
        bind.accept("syncStaging", (Processor) ex -> SafeExtractor.makeDurable(job(ex).staging));
        bind.accept("checkStagedRestore", (Processor) ex ->
                StagedRuntimeCheck.check(job(ex), secrets.towerSecretIfSet()));
        bind.accept("describeRestore", (Processor) ex -> {
            RestoreJob job = job(ex);
            job.description = new RuntimeSwap(job.target, job.staging, job.scope, job.keepLive).describe();
        });
        bind.accept("swapRestore", (Processor) ex -> {
            RestoreJob job = job(ex);
            job.swapped = new RuntimeSwap(job.target, job.staging, job.scope, job.keepLive).swap(false);
            if (job.scope == RuntimeSwap.Scope.PROOF) {
                // the runbook's proof-only restore ends by rebuilding the receipt index from the proofs
                Files.createDirectories(job.target.dataDir());
                var r = io.qontrek.factorydr.verify.Rebuild.receipts(job.target);
                job.checks.add("receipt index rebuilt from the restored proofs (" + r.rows() + " receipts)");
            }
        });
        bind.accept("discardStaging", (Processor) ex -> {
            RestoreJob job = ex.getMessage().getBody(RestoreJob.class);
            if (job != null && job.staging != null) RestoreStaging.discard(job.staging);
            if (job != null && job.swapped == null) deleteDeadWork(job, "after this restore", progress(ex)); // a dry or failed run
            // a new --target that a failed or dry run leaves empty goes too: nothing that looks like a runtime stays
            if (job != null && job.madeTarget && job.swapped == null) {
                try {
                    Files.deleteIfExists(job.target.root());
                } catch (java.nio.file.DirectoryNotEmptyException kept) {
                    // something else was put there meanwhile: not ours to remove
                }
            }
        });
        // once the runtime is back and the run recorded: a killed run's million files take minutes
        bind.accept("deleteDeadWork", (Processor) ex -> deleteDeadWork(job(ex), "after the swap", progress(ex)));
        bind.accept("rebuildCatalog", (Processor) ex -> ex.getMessage().setBody(
                CatalogRebuilder.rebuild(layout.archiveDir(), catalog, secrets.signingSecret())));
    }

    /**
     * Verifies (and stages) one archive of the set. When it is the planned full that fails, the failure
     * says which older full verifies and would restore instead.
     */
    private static ArchiveVerifier.VerifyResult verifyOrAdvise(ArchiveVerifier verifier, Path archive, RestoreJob job,
            RuntimeLayout layout, Catalog catalog, Secrets secrets, ArchiveReader.EntryVisitor extractor) throws IOException {
        try {
            return verifier.verify(archive, secrets.archiveKey(), secrets.signingSecret(), extractor);
        } catch (ArchiveException e) {
            // the key, not the archive, is what to change: no older full is worth reading for it
            if (e instanceof WrongKeyException || job.archive != null || job.names.isEmpty() || archive != job.archives.get(0)) {
                throw e;
            }
            var search = OlderFull.thatVerifies(catalog.archives(), job.names.get(0), layout.archiveDir(), candidate -> {
                try (Manifest ignored = verifier.verify(candidate, secrets.archiveKey(), secrets.signingSecret(), null).manifest()) {
                    return true;
                } catch (IOException notThisOne) {
                    return false;
                }
            });
            throw new ArchiveException(e.getMessage() + OlderFull.advice(search, layout.archiveDir()), e);
        }
    }

    /**
     * Deletes what killed runs left that the sweep resolved (a restore's staging, a drill's copy), once
     * this restore no longer competes with it for the disk; says so in the restore's checks.
     */
    private static void deleteDeadWork(RestoreJob job, String when, ProgressListener progress) {
        List<WorkDir.Dead> todo;
        synchronized (job.deadWork) { // the error route may run for both branches of the parallel check
            todo = new ArrayList<>(job.deadWork);
            job.deadWork.clear();
        }
        for (WorkDir.Dead dead : todo) {
            // the operator is told before the wait: a million files take minutes, after the runtime is back
            progress.step("deleting " + dead.dir() + ", left by a killed run, " + when
                    + (job.swapped != null ? ": the runtime is already restored" : ""));
            long start = System.nanoTime();
            WorkDir.sweep(dead).ifPresent(removed -> job.checks.add(String.format("deleted %s: %s (%s, in %.1f s): %s", when,
                    dead.dir().getFileName(), removed, (System.nanoTime() - start) / 1e9, dead.what())));
        }
    }

    /** A catalogued archive's files once written: their bytes and up to a block each (a file system's 4 KiB). */
    private static long roomNeeded(CatalogEntry e) {
        return e.contentBytes() + 4096L * e.files();
    }

    private static RestoreJob job(Exchange ex) {
        return ex.getMessage().getBody(RestoreJob.class);
    }

    private static ProgressListener progress(Exchange ex) {
        ProgressListener p = ex.getProperty(FlowBeans.PROGRESS, ProgressListener.class);
        return p == null ? ProgressListener.NONE : p;
    }
}
