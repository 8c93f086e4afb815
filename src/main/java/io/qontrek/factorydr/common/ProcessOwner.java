package io.qontrek.factorydr.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The process a piece of scratch work belongs to, as its marker file names it: the pid and the
 * process's start time ({@code /proc/<pid>/stat} field 22, as {@link ProcessHandle.Info#startInstant}
 * reads it), so that a pid reused by a later process is not taken for the owner. A sweep removes
 * work only when its owner {@link #isGone is gone}; work whose owner still runs is never touched.
 *
 * @param started null when the system could not say (then the pid alone decides)
 */
public record ProcessOwner(long pid, Instant started) {
    /** This process. */
    public static ProcessOwner current() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessOwner(self.pid(), self.info().startInstant().orElse(null));
    }

    /** Whether the owner no longer runs: no process has its pid, or the one that has it started at another time. */
    public boolean isGone() {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return true;
        if (started == null) return false;
        Optional<Instant> s = h.get().info().startInstant();
        return s.isPresent() && !s.get().equals(started);
    }

    /** The marker's one line: {@code <pid> <start instant>}, the same words as a flow lock's note. */
    public String line() {
        return pid + " " + (started == null ? "-" : started.toString());
    }

    /** Writes {@code file} atomically ({@link AtomicFile}), so a reader sees a whole marker or none. */
    public void writeTo(Path file) throws IOException {
        AtomicFile.write(file, (line() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The owner a marker names; empty when there is no marker or it is not one (then the caller decides). */
    public static Optional<ProcessOwner> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        String[] words = text.split(" ");
        if (words.length != 2) return Optional.empty();
        try {
            return Optional.of(new ProcessOwner(Long.parseLong(words[0]), words[1].equals("-") ? null : Instant.parse(words[1])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "process " + pid + (started == null ? "" : " (started " + started + ")");
    }
}
