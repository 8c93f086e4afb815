package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.common.ProgressListener;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a command shows the operator: results on stdout, progress on stderr when it is a terminal. */
final class Terminal {

    private Terminal() {}

    /** True when stderr is a terminal (Linux: /proc/self/fd/2 points at a tty). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Progress of long work: files, bytes and rate, redrawn on one stderr line at most 5 times a
     * second when stderr is a terminal, and logged every 10 seconds either way; a step that counts no
     * files gets a line of its own.
     */
    static ProgressListener progress(String what) {
        boolean tty = stderrIsTerminal();
        PrintStream err = System.err;
        long start = System.nanoTime();
        long[] lastDraw = {0};
        long[] lastLog = {start};
        return new ProgressListener() {
            @Override
            public void progress(long files, long bytes) {
                long now = System.nanoTime();
                boolean draw = tty && now - lastDraw[0] > 200_000_000L;
                boolean log = now - lastLog[0] > 10_000_000_000L;
                if (!draw && !log) return; // called once per file: format only what is shown
                double secs = Math.max((now - start) / 1e9, 1e-3);
                String line = String.format("%s: %,d files, %.1f MB, %.1f MB/s", what, files, bytes / 1e6, bytes / 1e6 / secs);
                if (draw) {
                    err.print("\r" + line + "   ");
                    err.flush();
                    lastDraw[0] = now;
                }
                if (log) {
                    log().info(line);
                    lastLog[0] = now;
                }
            }

            @Override
            public void step(String line) {
                if (tty) {
                    err.print("\r\033[K" + what + ": " + line + "\n");
                    err.flush();
                }
                log().info("{}: {}", what, line);
            }
        };
    }

    /** Ends a progress line so the next output starts clean. */
    static void endProgress() {
        if (stderrIsTerminal()) {
            System.err.print("\r\033[K");
            System.err.flush();
        }
    }

    /** Not a static field: a command that hands its flow to the service never starts log4j (ServiceControl). */
    private static Logger log() {
        return LoggerFactory.getLogger(Terminal.class);
    }
}
