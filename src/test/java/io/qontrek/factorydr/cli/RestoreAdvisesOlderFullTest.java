package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The newest full is damaged: the restore is refused, and its one line tells the operator which
 * older full verifies, as a command that works when pasted.
 */
class RestoreAdvisesOlderFullTest {

    @Test
    void aDamagedNewestFullNamesTheOlderFullThatRestores(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(40).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = Cli.env(tmp);
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        Thread.sleep(1100); // archive names are to the second
        assertThat(Cli.run(env, "backup", "full", "--root=" + root).exit()).isZero();
        List<Path> fulls = fulls(root);
        assertThat(fulls).hasSize(2);
        Path older = fulls.get(0);
        Path newest = fulls.get(1);

        flipAByteOf(newest);
        Cli.Result refused = Cli.run(env, "restore", "--date=latest", "--dry-run", "--root=" + root);
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err().lines()).as(refused.toString()).hasSize(1);
        assertThat(refused.err()).contains(newest.getFileName().toString())
                .contains("the older full full/" + older.getFileName() + " (")
                .contains("factory-dr restore --archive=" + older);

        String advised = refused.err().substring(refused.err().indexOf("factory-dr restore ") + "factory-dr ".length()).trim();
        Cli.Result pasted = Cli.run(env, (advised + " --dry-run --root=" + root).split(" "));
        assertThat(pasted.exit()).as(pasted.toString()).isZero();

        flipAByteOf(older);
        Cli.Result none = Cli.run(env, "restore", "--date=latest", "--dry-run", "--root=" + root);
        assertThat(none.exit()).as(none.toString()).isEqualTo(1);
        assertThat(none.err()).contains("the older full here does not verify either").doesNotContain("--archive=");
    }

    private static List<Path> fulls(Path root) throws Exception {
        try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
            return s.filter(p -> p.toString().endsWith(".tar.gz.enc")).sorted().toList();
        }
    }

    private static void flipAByteOf(Path archive) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x40);
        }
    }
}
