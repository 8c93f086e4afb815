package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.Sidecars;
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
 * Gives a verified archive, staged with its two sidecars in scratch space ({@link WorkDir}), its final
 * name in the archive directory, never over anything: the archive first, then {@code .sha256}, then
 * the manifest's detached signature {@code .manifest.json.sig} (when staged), then {@code .manifest.json}, each a hard link that fails if the name is taken. Sidecars therefore never
 * exist without their archive. Before the first link a note ({@code .publishing}) beside the staged
 * archive names the target; it is deleted once all three names are taken and the directory fsynced.
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

    /** Links {@code staged} and its sidecars to {@code target}'s names, or undoes what it linked and fails. */
    public static void publish(Path staged, Path target) throws IOException {
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
            link(Sidecars.sha256Path(target), Sidecars.sha256Path(staged));
            // the manifest's signature before the manifest: a published manifest always has its .sig
            if (Files.exists(Sidecars.manifestSignaturePath(staged), LinkOption.NOFOLLOW_LINKS)) {
                link(Sidecars.manifestSignaturePath(target), Sidecars.manifestSignaturePath(staged));
            }
            link(Sidecars.manifestPath(target), Sidecars.manifestPath(staged));
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

    /** Removes each of the target's names (archive, .sha256, .manifest.json.sig, .manifest.json) that is a link to the staged file of the same role. */
    private static List<Path> undo(Path staged, Path target) {
        List<Path> removed = new ArrayList<>();
        for (Path[] pair : List.of(new Path[] {Sidecars.manifestPath(target), Sidecars.manifestPath(staged)},
                new Path[] {Sidecars.manifestSignaturePath(target), Sidecars.manifestSignaturePath(staged)},
                new Path[] {Sidecars.sha256Path(target), Sidecars.sha256Path(staged)}, new Path[] {target, staged})) {
            try {
                if (Files.exists(pair[0], LinkOption.NOFOLLOW_LINKS) && Files.exists(pair[1], LinkOption.NOFOLLOW_LINKS)
                        && Files.isSameFile(pair[0], pair[1])) {
                    Files.delete(pair[0]);
                    removed.add(pair[0]);
                }
            } catch (IOException e) {
                LOG.warn("cannot remove the unfinished publish {}: {}", pair[0], e.toString());
            }
        }
        return removed;
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
