package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.common.AtomicFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.qontrek.factorydr.backup.WorkDir;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The swap's write-ahead journal, {@code <staging>/swap.journal}, so that a swap killed at any point
 * (kill -9, power cut) can be taken back or finished by the next restore. Before the swap makes a
 * directory or renames anything, a line naming it is written and fsynced; once every rename is done
 * and fsynced, {@code committed}. Reading it back:
 * <ul>
 *   <li>not committed: every rename that happened (its target exists and its source does not) is
 *       undone, newest first, and the directories the swap made are removed: the runtime is as it was;</li>
 *   <li>committed: the restore is in place; only the copies it replaced and its scratch copies remain,
 *       and are deleted.</li>
 * </ul>
 * Lines are JSON arrays ({@code ["move", from, to]}, {@code ["made", dir]}, {@code ["replaced", dir]},
 * {@code ["scratch", dir]}, {@code ["committed"]}), so any path can be named; a torn last line is a
 * line whose step never started.
 */
final class SwapJournal implements AutoCloseable {
    static final String FILE = "swap.journal";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One journalled step: {@code op} with one or two paths. */
    record Entry(String op, Path a, Path b) {}

    private final Path file;
    private final FileChannel channel;
    private final List<Entry> entries = new ArrayList<>();

    private SwapJournal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** A new journal in staging; refuses one already there (an unfinished swap's, for the sweep to resolve). */
    static SwapJournal begin(Path staging) throws IOException {
        Path file = staging.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new RestoreException("staging " + staging + " holds the journal of an unfinished swap; nothing was changed");
        }
        AtomicFile.fsync(staging);
        return new SwapJournal(file, ch);
    }

    void moving(Path from, Path to) throws IOException {
        append(List.of(new Entry("move", from, to)));
    }

    /** Many renames at once (a mount point's children): one fsync for all; a rename not done is skipped when undone. */
    void movingAll(List<Path[]> moves) throws IOException {
        append(moves.stream().map(m -> new Entry("move", m[0], m[1])).toList());
    }

    void making(Path dir) throws IOException {
        append(List.of(new Entry("made", dir, null)));
    }

    /** A directory the replaced live items go into: deleted once committed. */
    void replaced(Path dir) throws IOException {
        append(List.of(new Entry("replaced", dir, null)));
    }

    /** A scratch copy (the staged items copied onto another file system): deleted either way. */
    void scratch(Path dir) throws IOException {
        append(List.of(new Entry("scratch", dir, null)));
    }

    void committed() throws IOException {
        append(List.of(new Entry("committed", null, null)));
    }

    /** The swap is over (rolled back, or committed and cleaned up): nothing is left to resolve. */
    void discard() throws IOException {
        close();
        Files.deleteIfExists(file);
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) channel.close();
    }

    /** Undoes this swap as far as it went; see {@link Recorded#undo}. */
    List<String> undo(RuntimeSwap.Mover mover) {
        return new Recorded(List.copyOf(entries)).undo(mover);
    }

    private void append(List<Entry> add) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Entry e : add) {
            ArrayNode line = JSON.createArrayNode().add(e.op());
            if (e.a() != null) line.add(e.a().toString());
            if (e.b() != null) line.add(e.b().toString());
            text.append(JSON.writeValueAsString(line)).append('\n');
        }
        ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) channel.write(buf);
        channel.force(false);
        entries.addAll(add);
    }

    /** The journal in staging, if there is one. */
    static Optional<Recorded> read(Path staging) throws IOException {
        Path file = staging.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            try {
                JsonNode n = JSON.readTree(lines.get(i));
                String op = n.get(0).asText();
                entries.add(new Entry(op, n.size() > 1 ? Path.of(n.get(1).asText()) : null, n.size() > 2 ? Path.of(n.get(2).asText()) : null));
            } catch (IOException | RuntimeException e) {
                if (i == lines.size() - 1) break; // torn by the crash: that step had not started
                throw new RestoreException(file + " line " + (i + 1) + " is not a journal line; nothing was changed");
            }
        }
        return Optional.of(new Recorded(entries));
    }

    /** A journal as read back. */
    record Recorded(List<Entry> entries) {
        boolean committed() {
            return entries.stream().anyMatch(e -> e.op().equals("committed"));
        }

        /** Whether any rename happened: a journal of renames not one of which was done changed nothing live. */
        boolean anyMoveDone() {
            return entries.stream().anyMatch(e -> e.op().equals("move") && exists(e.b()) && !exists(e.a()));
        }

        /**
         * Undoes every rename that happened, newest first, then removes the (empty) directories made
         * and the scratch copies. Returns what could not be put back ("X is at Y"), empty when the
         * runtime is as it was. Running it again after it stopped half-way is safe.
         */
        List<String> undo(RuntimeSwap.Mover mover) {
            List<String> stuck = new ArrayList<>();
            for (int i = entries.size() - 1; i >= 0; i--) {
                Entry e = entries.get(i);
                if (e.op().equals("move")) {
                    if (!exists(e.b())) continue; // never done, or already undone
                    if (exists(e.a())) {
                        stuck.add(e.a() + " is at " + e.b() + " and something else is at " + e.a());
                        continue;
                    }
                    try {
                        mover.move(e.b(), e.a());
                    } catch (IOException | RuntimeException x) {
                        stuck.add(e.a() + " is at " + e.b());
                    }
                } else if (e.op().equals("made")) {
                    try {
                        Files.deleteIfExists(e.a());
                    } catch (DirectoryNotEmptyException x) {
                        // it holds something now that is not ours to judge
                    } catch (IOException x) {
                        stuck.add("cannot remove " + e.a() + ": " + x.getMessage());
                    }
                }
            }
            if (stuck.isEmpty()) deleteScratch();
            return stuck;
        }

        /** A committed swap: deletes what it replaced and its scratch copies. */
        void finish() {
            for (Entry e : entries) if (e.op().equals("replaced")) WorkDir.delete(e.a());
            deleteScratch();
        }

        private void deleteScratch() {
            for (Entry e : entries) if (e.op().equals("scratch")) WorkDir.delete(e.a());
        }

        private static boolean exists(Path p) {
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
