package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.common.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Puts a rebuilt SQLite database in place of a live one, litestream-style: the new file is built
 * under a temporary name beside the live one, checked (integrity_check, row count), fsynced, and
 * only then renamed over the live name, atomically; the directory is fsynced so the rename lasts.
 * The old database's -wal, -shm and -journal are removed before the rename: left beside the new
 * file, SQLite would replay the old pages into it. The runtime must not be writing the database
 * meanwhile (the runbook stops federation sync first).
 */
final class DatabaseSwap {
    private static final String[] COMPANIONS = {"-wal", "-shm", "-journal"};

    private DatabaseSwap() {}

    /** A fresh temporary name in the live database's directory (same file system, so the rename is atomic). */
    static Path temporaryFor(Path live) {
        return live.resolveSibling(live.getFileName() + ".rebuild-" + UUID.randomUUID() + ".tmp");
    }

    /** Checks {@code built} and renames it over {@code live}; on any failure deletes it and leaves live alone. */
    static void install(Path built, Path live, String table, long expectedRows) throws IOException {
        try {
            check(built, table, expectedRows);
            AtomicFile.fsync(built); // now: the live database is then without its companions only for a rename
            keepModeAndOwner(live, built);
            for (String suffix : COMPANIONS) {
                Files.deleteIfExists(live.resolveSibling(live.getFileName() + suffix));
            }
            AtomicFile.replace(built, live);
        } catch (IOException | RuntimeException e) {
            discard(built);
            throw e;
        }
    }

    /**
     * The rebuilt database takes the place of the live one with its permissions, and, when root can give
     * them, its owner and group: a 0640 receipt index stays 0640 (a restore's rebuild included).
     */
    private static void keepModeAndOwner(Path live, Path built) throws IOException {
        if (!Files.exists(live) || !Files.getFileStore(built).supportsFileAttributeView("unix")) return;
        if (io.qontrek.factorydr.common.Processes.isRoot()) {
            Files.setAttribute(built, "unix:uid", Files.getAttribute(live, "unix:uid"));
            Files.setAttribute(built, "unix:gid", Files.getAttribute(live, "unix:gid"));
        }
        Files.setPosixFilePermissions(built, Files.getPosixFilePermissions(live));
    }

    /** Deletes a temporary database and any journal SQLite left beside it. */
    static void discard(Path built) {
        try {
            Files.deleteIfExists(built);
            for (String suffix : COMPANIONS) {
                Files.deleteIfExists(built.resolveSibling(built.getFileName() + suffix));
            }
        } catch (IOException ignored) {
            // Best effort on a path that is already failing; the caller reports the first error.
        }
    }

    private static void check(Path built, String table, long expectedRows) throws IOException {
        try (Connection c = Sqlite.openReadOnly(built)) {
            String integrity = Sqlite.integrityCheck(c);
            if (!"ok".equals(integrity)) {
                throw new IOException("rebuilt " + built.getFileName() + " fails integrity_check: " + integrity);
            }
            long rows = Sqlite.count(c, table);
            if (rows != expectedRows) {
                throw new IOException("rebuilt " + built.getFileName() + " has " + rows + " rows in " + table
                        + ", expected " + expectedRows);
            }
        } catch (SQLException e) {
            throw new IOException("cannot check rebuilt " + built.getFileName() + ": " + e.getMessage(), e);
        }
    }
}
