package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.TestJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ~200 MB through tar, gzip (2 threads), encryption to a file and back through the verifier, in a child
 * JVM whose heap (-Xmx64m) is far smaller than the data, which fails with OutOfMemoryError if any stage
 * buffers the archive. (The same run in the surefire JVM's 1 GB heap showed nothing more, for 15 CPU-s.)
 * No timing assertions.
 */
class StreamingMemoryTest {
    static final int FILES = 4;
    static final long FILE_BYTES = 50L * 1024 * 1024;

    @TempDir Path tmp;

    /** Generates the files, archives them, verifies; returns the verifier's result. Also the child JVM's work. */
    static ArchiveVerifier.VerifyResult run(Path dir) throws IOException {
        Path source = dir.resolve("runtime");
        for (int i = 0; i < FILES; i++) SampleData.file(source.resolve("logs/service-" + i + ".log"), FILE_BYTES, i);
        String name = "full/20251026T030000Z.tar.gz.enc";
        ArchiveFixture.build(source, Map.of(), dir.resolve("archive"), name, 2);
        return new ArchiveVerifier().verify(dir.resolve("archive").resolve(name), ArchiveFixture.PASSWORD, ArchiveFixture.SECRET);
    }

    public static void main(String[] args) throws IOException {
        ArchiveVerifier.VerifyResult result = run(Path.of(args[0]));
        System.out.println("verified " + result.files() + " files, " + result.bytes() + " bytes, max heap " + Runtime.getRuntime().maxMemory()
                + "; archive " + (result.archiveSize() < result.bytes() ? "smaller than" : "NOT smaller than") + " its files");
    }

    @Test
    void twoHundredMegabytesInA64MegabyteHeap() throws Exception {
        List<String> command = new ArrayList<>(TestJvm.command(List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"),
                StreamingMemoryTest.class.getName()));
        command.add(tmp.toString());
        Path log = tmp.resolve("child.log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("child finished").isTrue();
        String output = Files.readString(log);
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("verified " + FILES + " files, " + FILES * FILE_BYTES + " bytes")
                .contains("archive smaller than its files"); // it did compress
    }
}
