package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.common.TestPause;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a verified archive, staged in scratch space ({@link WorkDir}) with the files beside it (its
 * sidecars {@code X.sha256} and {@code X.manifest.json}, and any other staged {@code X.*}, such as a
 * signature), its final name in the archive directory, never over anything: the archive first, then
 * each staged file beside it, each a hard link that fails if the name is taken. Sidecars therefore
 * never exist without their archive. Before the first link a note ({@code .publishing}) beside the
 * staged archive names the target; it is deleted once all names are taken and the directory fsynced.
 * A run that fails in between undoes its links; one killed in between leaves the note, and the sweep
 * of its dead work ({@link WorkDir}) removes every final name that is still a link to its staged
 * files, so a crash never blocks an archive's name. Names that are not links to those files (taken by
 * someone else) are never touched.
 */
public final class ArchivePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ArchivePublisher.class);
    static final String NOTE = ".publishing";

    private ArchivePublisher() {}

    /** The archive's name is taken: archives are never overwritten. */
    public static final class NameTaken extends IOException {
        NameTaken(Path name) {
            super(name.toString());
        }
    }

    /** Links {@code staged} and every staged file beside it to {@code target}'s names, or undoes what it linked and fails. */
    public static void publish(Path staged, Path target) throws IOException {
        List<String> beside = besideOf(staged);
        Path note = staged.resolveSibling(NOTE);
        Files.writeString(note, target.toAbsolutePath().normalize() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        fsync(note);
        fsync(note.getParent());
        Files.createDirectories(target.getParent());
        boolean done = false;
        try {
            link(target, staged);
            TestPause.at("backup-published-archive");
            for (String suffix : beside) link(sibling(target, suffix), sibling(staged, suffix));
            fsync(target.getParent());
            done = true;
        } finally {
            if (!done) undo(staged, target);
        }
        Files.delete(note);
    }

    private static void link(Path name, Path existing) throws IOException {
        try {
            Files.createLink(name, existing);
        } catch (FileAlreadyExistsException e) {
            throw new NameTaken(name);
        }
    }

    /**
     * Undoes the unfinished publishes in a dead process's work directory (notes at any depth under
     * it, as WorkDir lays them out); returns the final names removed.
     */
    static List<Path> undoUnfinished(Path deadWork) {
        List<Path> removed = new ArrayList<>();
        List<Path> notes;
        try (Stream<Path> s = Files.walk(deadWork, 3)) {
            notes = s.filter(p -> p.getFileName().toString().equals(NOTE)).toList();
        } catch (IOException e) {
            return removed;
        }
        for (Path note : notes) {
            try {
                Path target = Path.of(Files.readString(note, StandardCharsets.UTF_8).trim());
                removed.addAll(undo(note.resolveSibling(target.getFileName().toString()), target));
            } catch (IOException | RuntimeException e) {
                // an unreadable note names nothing; the work directory goes all the same
                LOG.warn("cannot read {}: {}", note, e.toString());
            }
        }
        return removed;
    }

    /** Removes each of the target's names that is a link to the staged file of the same role: the files beside it first, the archive last. */
    private static List<Path> undo(Path staged, Path target) {
        List<Path> removed = new ArrayList<>();
        List<String> suffixes = new ArrayList<>();
        try {
            suffixes.addAll(besideOf(staged));
        } catch (IOException e) {
            LOG.warn("cannot list the files staged beside {}: {}", staged, e.toString());
        }
        suffixes.add("");
        for (String suffix : suffixes) {
            Path name = sibling(target, suffix);
            Path mine = sibling(staged, suffix);
            try {
                if (Files.exists(name, LinkOption.NOFOLLOW_LINKS) && Files.exists(mine, LinkOption.NOFOLLOW_LINKS)
                        && Files.isSameFile(name, mine)) {
                    Files.delete(name);
                    removed.add(name);
                }
            } catch (IOException e) {
                LOG.warn("cannot remove the unfinished publish {}: {}", name, e.toString());
            }
        }
        return removed;
    }

    /**
     * The suffixes of the regular files staged beside {@code staged} and named for it ({@code X.sha256},
     * {@code X.manifest.json}, {@code X.manifest.json.sig}...), signatures first, then in name order. Temporary files start with a
     * dot and are not among them.
     */
    static List<String> besideOf(Path staged) throws IOException {
        String name = staged.getFileName().toString();
        Path dir = staged.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.length() > name.length() + 1 && n.startsWith(name + "."))
                    .map(n -> n.substring(name.length()))
                    // a detached signature before the file it signs: a published manifest always has its .sig
                    .sorted(java.util.Comparator.comparing((String n) -> !n.endsWith(".sig")).thenComparing(n -> n))
                    .toList();
        }
    }

    private static Path sibling(Path p, String suffix) {
        return p.resolveSibling(p.getFileName() + suffix);
    }

    /**
     * Removes sidecars whose archive does not exist in the archive directory's sub-directories (left
     * by an older version that moved sidecars in first, or by a removal that stopped half-way): they
     * belong to nothing and would block their archive's name. No publish of this version makes that
     * state, not even for a moment, so a concurrent run is never hit. Returns what it removed.
     */
    public static List<Path> sweepOrphanSidecars(Path archiveDir, List<String> directories) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (String d : directories) {
            Path dir = archiveDir.resolve(d);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) continue;
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.toList();
            }
            for (Path p : files) {
                String name = p.getFileName().toString();
                String archive = name.endsWith(".sha256") ? name.substring(0, name.length() - ".sha256".length())
                        : name.endsWith(".manifest.json") ? name.substring(0, name.length() - ".manifest.json".length())
                        : name.endsWith(".manifest.json.sig") ? name.substring(0, name.length() - ".manifest.json.sig".length()) : null;
                if (archive == null || archive.isEmpty() || Files.exists(dir.resolve(archive), LinkOption.NOFOLLOW_LINKS)) continue;
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                long size = Files.size(p);
                if (Files.deleteIfExists(p)) {
                    LOG.info("swept {} ({} bytes): a sidecar without its archive", p, size);
                    removed.add(p);
                }
            }
        }
        return removed;
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
