package io.qontrek.factorydr.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.ParallelIo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileScanTest {
    @TempDir Path dir;

    @Test
    void findsEveryRegularFileBelowWithItsSizeAndTimeAndNoLinkOrDirectory() throws Exception {
        // more entries than one lstat batch, so that batches are stat'ed while the listing goes on
        for (int i = 0; i < 1500; i++) Files.writeString(dir.resolve("proof-" + i + ".json"), "x".repeat(i % 7));
        Files.createDirectories(dir.resolve("digests/deeper"));
        Files.writeString(dir.resolve("digests/2025-10-01.json"), "{}");
        Path deep = Files.writeString(dir.resolve("digests/deeper/a.json"), "abc");
        Files.setLastModifiedTime(deep, FileTime.from(Instant.parse("2025-10-01T12:00:00.250Z")));
        Files.createSymbolicLink(dir.resolve("link.json"), dir.resolve("proof-1.json"));
        Files.createSymbolicLink(dir.resolve("linked-dir"), dir.resolve("digests"));

        List<FileScan.Scanned> files;
        try (ParallelIo io = new ParallelIo()) {
            files = FileScan.regularFiles(dir, io);
        }

        List<String> expected = new java.util.ArrayList<>(IntStream.range(0, 1500).mapToObj(i -> "proof-" + i + ".json").toList());
        expected.add("digests/2025-10-01.json");
        expected.add("digests/deeper/a.json");
        assertThat(files).extracting(FileScan.Scanned::relative).containsExactlyInAnyOrderElementsOf(expected);
        FileScan.Scanned a = files.stream().filter(f -> f.relative().equals("digests/deeper/a.json")).findFirst().orElseThrow();
        assertThat(a.size()).isEqualTo(3);
        assertThat(a.mtimeMillis()).isEqualTo(Instant.parse("2025-10-01T12:00:00.250Z").toEpochMilli());
        assertThat(a.in(dir)).isEqualTo(deep);
        assertThat(files.stream().filter(f -> f.relative().equals("proof-13.json")).findFirst().orElseThrow().size()).isEqualTo(6);
    }

    @Test
    void anAbsentDirectoryHasNoFiles() throws Exception {
        try (ParallelIo io = new ParallelIo()) {
            assertThat(FileScan.regularFiles(dir.resolve("missing"), io)).isEmpty();
        }
    }
}
