package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.TestJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flow's lock holds against another process, names it, and goes with it however it ends. */
class FlowLockTest {
    @TempDir Path dir;

    /** The other process: takes the lock, says so, and holds it until killed (with "probe": says and ends). */
    public static void main(String[] args) throws Exception {
        try {
            FlowLock.tryTake(Path.of(args[0]), Instant.parse("2026-01-01T00:00:00Z"));
            System.out.println("locked");
        } catch (FlowLock.Busy busy) {
            System.out.println("busy");
        }
        System.out.flush();
        if (args.length > 1 && args[1].equals("probe")) System.exit(0);
        Thread.sleep(Long.MAX_VALUE);
    }

    private static Process other(Path file, String... more) throws Exception {
        List<String> command = new java.util.ArrayList<>(TestJvm.command(List.of(), FlowLockTest.class.getName()));
        command.add(file.toString());
        command.addAll(List.of(more));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String firstLine(Process p) throws Exception {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @Test
    void anotherProcesssLockRefusesThisOneNamesItAndDiesWithIt() throws Exception {
        Path file = dir.resolve(".locks/backup-full.lock");
        Process other = other(file);
        try {
            assertThat(firstLine(other)).isEqualTo("locked");

            assertThat(busy(file)).as("held by the other process").isEqualTo("process " + other.pid() + " since 2026-01-01T00:00:00Z");
        } finally {
            other.destroyForcibly();   // SIGKILL: no code of its own releases anything
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }

        FlowLock.tryTake(file, Instant.parse("2026-02-02T00:00:00Z")).close();   // the OS released it with the process
        assertThat(Files.readString(file)).isEqualTo(ProcessHandle.current().pid() + " 2026-02-02T00:00:00Z\n");
    }

    @Test
    void heldInThisProcessItIsRefusedUntilClosed() throws Exception {
        Path file = dir.resolve("retention.lock");
        FlowLock first = FlowLock.tryTake(file, Instant.now());
        assertThat(busy(file)).isEqualTo("this process");
        assertThat(busy(file)).isEqualTo("this process");
        // the OS still holds it for this process: the refusals opened and closed nothing of the file
        Process probe = other(file, "probe");
        assertThat(firstLine(probe)).isEqualTo("busy");
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        first.close();
        FlowLock.tryTake(file, Instant.now()).close();
    }

    /** Who holds it, as a refused attempt says; fails if the attempt got the lock. */
    private static String busy(Path file) throws Exception {
        try {
            FlowLock.tryTake(file, Instant.now()).close();
        } catch (FlowLock.Busy b) {
            return b.holder();
        }
        throw new AssertionError(file + " was free");
    }
}
