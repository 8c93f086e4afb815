package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive directory on a disk that fills up: a real tmpfs of a few MiB (mounted as root; the test
 * is skipped, saying so, where it cannot be), filled by a file of its own. The backup fails with one
 * line, leaves nothing of itself, and its failed run is recorded: the gates and status see it.
 */
class FullDiskEndToEndTest {
    @TempDir Path tmp;
    Path root;
    Path disk;
    Map<String, String> env;

    @BeforeEach
    void aRuntimeWhoseArchivesAreOnASmallDisk() throws Exception {
        root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(200).days(2).ledgerRows(300).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        disk = tmp.resolve("disk");
        Files.createDirectories(disk);
        Cli.Result mount = Cli.sh(tmp, Map.of(), "mount -t tmpfs -o size=6m,mode=0700 factory-dr-test '" + disk + "'");
        assumeTrue(mount.exit() == 0, "a tmpfs cannot be mounted here (root only): " + mount);
        Files.createSymbolicLink(root.resolve("archive"), disk);
        env = Cli.env(tmp);
    }

    @AfterEach
    void unmount() throws Exception {
        Cli.sh(tmp, Map.of(), "umount '" + disk + "' 2>/dev/null || true");
    }

    @Test
    void aBackupThatFillsTheDiskIsRecordedAsFailedAndLeavesNothing() throws Exception {
        Cli.Result first = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(first.exit()).as(first.toString()).isZero();
        long archive;
        try (Stream<Path> s = Files.list(disk.resolve("full"))) {
            archive = s.filter(p -> p.toString().endsWith(".enc")).findFirst().orElseThrow().toFile().length();
        }
        java.util.Set<String> before = paths();
        // what is left free holds the database snapshots (in archive/.work) and half of another archive:
        // the next full fails while writing, the disk full of its own staging and scratch
        Cli.Result sizes = Cli.sh(tmp, Map.of(), "sqlite3 '" + disk.resolve("catalog.db")
                + "' \"SELECT sum(size) FROM archive_files WHERE path LIKE 'data/%'\"");
        long snapshots = Long.parseLong(sizes.out().strip()); // the snapshots the first full archived
        // the catalog's write-ahead log emptied: a record that fits in the log's old pages needs no room; then what is free
        Cli.Result truncate = Cli.sh(tmp, Map.of(), "sqlite3 '" + disk.resolve("catalog.db") + "' 'PRAGMA wal_checkpoint(TRUNCATE)'");
        assertThat(truncate.exit()).as(truncate.toString()).isZero();
        long free = Files.getFileStore(disk).getUsableSpace();
        Cli.Result fill = Cli.sh(tmp, Map.of(), "head -c " + (free - snapshots - archive / 2) + " /dev/zero > '" + disk.resolve("filler") + "'");
        assertThat(fill.exit()).as(fill.toString()).isZero();

        Thread.sleep(1100); // a full's name is its second
        Cli.Result full = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(full.exit()).as(full.toString()).isEqualTo(1);
        assertThat(full.err().lines()).as(full.toString()).hasSize(1);
        assertThat(full.err()).as(full.toString()).containsPattern("No space left on device|disk is full");

        // recorded: the record is written once the failed run's staging and scratch are gone
        Cli.Result runs = Cli.sh(tmp, Map.of(), "sqlite3 '" + disk.resolve("catalog.db")
                + "' \"SELECT outcome FROM runs WHERE flow = 'backup-full' ORDER BY rowid\"");
        assertThat(runs.out().lines()).as(runs + "\n" + Cli.read(tmp.resolve("factory-dr.log"))).containsExactly("ok", "failed");
        Cli.Result status = Cli.run(env, "status", "--root=" + root);
        assertThat(status.out()).as(status.toString()).containsPattern("(failing|degraded) +backups +last run failed: backup-full");
        assertThat(paths()).as("nothing of the failed run is left").isEqualTo(before);

        // room again: the next full is written, as any
        Files.delete(disk.resolve("filler"));
        Thread.sleep(1100);
        Cli.Result again = Cli.run(env, "backup", "full", "--root=" + root);
        assertThat(again.exit()).as(again.toString()).isZero();
    }

    /** What the disk holds but the catalog's own files (its -wal and -shm come and go) and the filler. */
    private java.util.Set<String> paths() throws Exception {
        try (Stream<Path> s = Files.walk(disk)) {
            return s.map(p -> disk.relativize(p).toString()).filter(p -> !p.startsWith("catalog.db") && !p.equals("filler"))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }
}
