package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flow's lock holds against another process, names it, and goes with it however it ends. */
class FlowLockTest {
    @TempDir Path dir;

    /** The other process: takes the lock, says so, and holds it until killed. */
    public static void main(String[] args) throws Exception {
        FlowLock lock = FlowLock.tryTake(Path.of(args[0]), Instant.parse("2026-01-01T00:00:00Z"));
        System.out.println(lock == null ? "busy" : "locked");
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void anotherProcesssLockRefusesThisOneNamesItAndDiesWithIt() throws Exception {
        Path file = dir.resolve(".control/backup-full.lock");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process other = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, FlowLockTest.class.getName(), file.toString())).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");

            assertThat(FlowLock.tryTake(file, Instant.now())).as("held by the other process").isNull();
            assertThat(FlowLock.holder(file)).isEqualTo("process " + other.pid() + " since 2026-01-01T00:00:00Z");
        } finally {
            other.destroyForcibly();   // SIGKILL: no code of its own releases anything
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }

        try (FlowLock mine = FlowLock.tryTake(file, Instant.parse("2026-02-02T00:00:00Z"))) {
            assertThat(mine).as("the OS released it with the process").isNotNull();
            assertThat(FlowLock.holder(file)).isEqualTo("process " + ProcessHandle.current().pid() + " since 2026-02-02T00:00:00Z");
        }
    }

    @Test
    void heldInThisProcessItIsRefusedUntilClosed() throws Exception {
        Path file = dir.resolve("retention.lock");
        FlowLock first = FlowLock.tryTake(file, Instant.now());
        assertThat(first).isNotNull();
        assertThat(FlowLock.tryTake(file, Instant.now())).isNull();
        first.close();
        try (FlowLock again = FlowLock.tryTake(file, Instant.now())) {
            assertThat(again).isNotNull();
        }
    }
}
