package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.MemoryDisk;
import io.qontrek.factorydr.common.ProcessOwner;
import io.qontrek.factorydr.common.SmallHeap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's scratch under archive/.work/&lt;pid&gt;/ goes with its last piece of work: a finished run leaves
 * no directory behind; and deleting a tree of any size takes memory by its depth, not its file count.
 */
class WorkDirTest {
    @TempDir Path archive;

    @Test
    void thePidDirectoryGoesWithTheLastWorkInIt_andNotBefore() throws Exception {
        Path pidDir = archive.resolve(".work").resolve(Long.toString(ProcessHandle.current().pid()));
        Path a = WorkDir.create(archive, "full-a");
        Path b = WorkDir.create(archive, "download-b");
        Files.writeString(a.resolve("snapshot.db"), "x");
        assertThat(a.getParent()).isEqualTo(pidDir);

        WorkDir.delete(a);
        assertThat(a).doesNotExist();
        assertThat(pidDir).as("still holds b").isDirectory();

        WorkDir.delete(b);
        assertThat(pidDir).doesNotExist();
        assertThat(archive.resolve(".work")).isDirectory();

        // and a new piece of work afterwards gets its directory back
        assertThat(WorkDir.create(archive, "full-c")).isDirectory();
    }

    @Test
    void deadWorkFoundEarlierIsLeftAloneWhenARunningProcessHasTakenItsNameSince() throws Exception {
        Path dead = Files.createDirectories(archive.resolve(".work/999999999/download-full"));
        new ProcessOwner(999_999_999L, Instant.EPOCH).writeTo(dead.resolve(WorkDir.OWNER));
        Files.writeString(dead.resolve("part"), "x");
        List<WorkDir.Dead> found = WorkDir.resolveDead(archive);
        assertThat(found).extracting(WorkDir.Dead::dir).containsExactly(dead);

        // the pid reused, the same work name made again before the delayed delete
        ProcessOwner.current().writeTo(dead.resolve(WorkDir.OWNER));
        assertThat(WorkDir.sweep(found.get(0))).isEmpty();
        assertThat(dead.resolve("part")).exists();

        // gone again: deleted, with the dead run's .work/<pid>/
        new ProcessOwner(999_999_999L, Instant.EPOCH).writeTo(dead.resolve(WorkDir.OWNER));
        assertThat(WorkDir.sweep(found.get(0))).hasValueSatisfying(r -> assertThat(r.files()).isEqualTo(2));
        assertThat(dead.getParent()).doesNotExist();
        assertThat(WorkDir.sweep(found.get(0))).as("already gone").isEmpty();
    }

    @Test
    void aTreeOneLevelBelowTheFileSystemRootIsDeleted() throws Exception {
        Path top = archive.getRoot().resolve(archive.getName(0)); // /tmp, whose parent is /
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(top), top + " is writable");
        Path tree = Files.createTempDirectory(top, "workdir-test-");
        Files.writeString(Files.createDirectories(tree.resolve("proof")).resolve("proof-1.json"), "{}");
        assertThat(WorkDir.delete(tree).files()).isEqualTo(1);
        assertThat(tree).doesNotExist();
    }

    /** The child: deletes the tree it is given and says what it removed. */
    public static void main(String[] args) {
        System.out.println("removed " + WorkDir.delete(Path.of(args[0])));
    }

    @Test
    void aTreeOfThreeHundredThousandFilesIsDeletedInASixteenMegabyteHeap_linksRemovedNotFollowed() throws Exception {
        // a dead restore's staging of a million proofs is this at scale: as a sorted list of every Path
        // (the delete before this one) these would take some 30 MB
        try (MemoryDisk disk = MemoryDisk.create(archive)) {
            Path tree = disk.dir().resolve("staging");
            Path outside = Files.writeString(disk.dir().resolve("kept.txt"), "not under the tree");
            for (String sub : new String[] {"proof", "proof/digests", "data"}) Files.createDirectories(tree.resolve(sub));
            for (int i = 0; i < 300_000; i++) Files.createFile(tree.resolve("proof").resolve(String.format("proof-%012d.json", i)));
            Files.writeString(tree.resolve("proof/digests/2026-12-07.json"), "12345");
            Files.writeString(tree.resolve("data/ledger.db"), "1234567");
            Files.createSymbolicLink(tree.resolve("data/link"), outside);
            Files.createSymbolicLink(tree.resolve("dirlink"), disk.dir());

            assertThat(SmallHeap.run("16m", WorkDirTest.class, archive, tree.toString()))
                    .contains("removed 300,004 files, 12 bytes");
            assertThat(tree).doesNotExist();
            assertThat(outside).hasContent("not under the tree");
        }
    }
}
