package io.qontrek.factorydr.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner-only files and directories, and SQLite's companion files taking the database's mode. */
class OwnerOnlyTest {
    @TempDir Path tmp;

    @Test
    void createsMissingDirectories0700AndLeavesExistingOnesAlone() throws Exception {
        Files.setAttribute(tmp, "unix:mode", 0755);
        OwnerOnly.directories(tmp.resolve("a/b/c"));
        assertThat(mode(tmp.resolve("a"))).isEqualTo("700");
        assertThat(mode(tmp.resolve("a/b/c"))).isEqualTo("700");
        assertThat(mode(tmp)).as("an existing directory (java.io.tmpdir, a volume) is not changed").isEqualTo("755");
        OwnerOnly.tighten(tmp);
        assertThat(mode(tmp)).as("unless asked, and ours").isEqualTo("700");
    }

    @Test
    void tightenLeavesAnotherUsersDirectoryAsItIs() throws Exception {
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setAttribute(theirs, "unix:mode", 0755);
        if (Processes.isRoot()) Files.setAttribute(theirs, "unix:uid", 1234);
        else return; // only root can make a directory another user's; elsewhere every directory here is ours
        OwnerOnly.tighten(theirs);
        assertThat(mode(theirs)).isEqualTo("755");
    }

    @Test
    void filesAre0600FromCreation() throws Exception {
        try (var ch = OwnerOnly.create(tmp.resolve("f"))) {
            assertThat(mode(tmp.resolve("f"))).isEqualTo("600");
        }
        try (var ch = OwnerOnly.open(tmp.resolve("lock"), java.nio.file.StandardOpenOption.WRITE)) {
            assertThat(mode(tmp.resolve("lock"))).isEqualTo("600");
        }
        assertThat(mode(OwnerOnly.createEmpty(tmp.resolve("e")))).isEqualTo("600");
    }

    @Test
    void sqliteGivesItsJournalWalAndShmTheDatabasesMode() throws Exception {
        Path wal = OwnerOnly.createEmpty(tmp.resolve("wal.db"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + wal); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t (x)");
            s.execute("INSERT INTO t VALUES (1)");
            assertThat(mode(tmp.resolve("wal.db-wal"))).isEqualTo("600");
            assertThat(mode(tmp.resolve("wal.db-shm"))).isEqualTo("600");
        }
        Path journal = OwnerOnly.createEmpty(tmp.resolve("journal.db"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + journal); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=PERSIST"); // keeps the -journal file after the commit, to be looked at
            s.execute("CREATE TABLE t (x)");
            assertThat(mode(tmp.resolve("journal.db-journal"))).isEqualTo("600");
        }
        assertThat(mode(journal)).isEqualTo("600");
    }

    private static String mode(Path p) throws Exception {
        return Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
    }
}
