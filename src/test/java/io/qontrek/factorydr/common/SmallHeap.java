package io.qontrek.factorydr.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test's {@code main} in a child JVM whose heap is far smaller than what one object per entry
 * would need: a structure that keeps per-entry state on the heap fails it with OutOfMemoryError
 * (-XX:+ExitOnOutOfMemoryError makes that a non-zero exit). Returns the child's output.
 */
public final class SmallHeap {
    private SmallHeap() {}

    public static String run(String heap, Class<?> main, Path workDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(TestJvm.command(List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError",
                "-Djava.io.tmpdir=" + workDir), main.getName()));
        command.addAll(List.of(args));
        Path log = workDir.resolve("child-" + main.getSimpleName() + ".log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("child finished").isTrue();
        String output = Files.readString(log);
        assertThat(child.exitValue()).as(output).isZero();
        return output;
    }
}
