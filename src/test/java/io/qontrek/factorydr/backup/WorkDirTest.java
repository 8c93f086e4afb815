package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's scratch under archive/.work/&lt;pid&gt;/ goes with its last piece of work: a finished run leaves no directory behind. */
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
}
