package io.qontrek.factorydr.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file published with AtomicFile is the old one or the whole new one, whatever happens while it is written. */
class AtomicFileTest {
    private static final int HALF = 1 << 20;

    @TempDir Path dir;

    @Test
    void writesOwnerOnlyAndReplacesLeavingNoTemporary() throws Exception {
        Path target = dir.resolve("x.sha256");
        AtomicFile.write(target, "one\n".getBytes(StandardCharsets.UTF_8));
        assertThat(target).hasContent("one");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");

        AtomicFile.write(target, out -> out.write("two\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(target).hasContent("two");
        assertThat(names()).containsExactly("x.sha256");
    }

    @Test
    void aModeGivenIsTheFilesFromItsFirstByte() throws Exception {
        Path target = dir.resolve("lib.so");
        AtomicFile.write(target, PosixFilePermissions.fromString("rw-r--r--"), out -> out.write(1));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");
    }

    @Test
    void aWriteThatFailsHalfWayLeavesTheOldFileAndNoTemporary() throws Exception {
        Path target = dir.resolve("x.manifest.json");
        Files.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFile.write(target, out -> {
            out.write(new byte[HALF]);
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(target).hasContent("old");
        assertThat(names()).containsExactly("x.manifest.json");

        Path fresh = dir.resolve("new.json");
        assertThatThrownBy(() -> AtomicFile.write(fresh, out -> {
            out.write(new byte[HALF]);
            throw new IllegalStateException("a bug half-way");
        })).hasMessage("a bug half-way");
        assertThat(fresh).doesNotExist();
        assertThat(names()).containsExactly("x.manifest.json");
    }

    /** A kill -9 runs no finally: what it leaves is the hidden temporary, never a part under the final name. */
    @Test
    void aProcessKilledHalfWayLeavesNothingUnderTheFinalName() throws Exception {
        Path old = dir.resolve("owner");
        Files.writeString(old, "old");
        Path fresh = dir.resolve("proof.json");
        for (Path target : List.of(old, fresh)) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    codeSource(AtomicFile.class) + java.io.File.pathSeparator + codeSource(HalfWritten.class),
                    HalfWritten.class.getName(), target.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).isEqualTo("half written");
            } finally {
                child.destroyForcibly(); // SIGKILL
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            Path temp;
            try (Stream<Path> s = Files.list(dir)) {
                temp = s.filter(p -> p.getFileName().toString().startsWith("." + target.getFileName() + ".")).findFirst().orElseThrow();
            }
            assertThat(Files.size(temp)).as("killed half-way through the write").isGreaterThanOrEqualTo(HALF);
            assertThat(temp.getFileName().toString()).endsWith(".tmp");
        }
        assertThat(old).hasContent("old");
        assertThat(fresh).doesNotExist();
    }

    @Test
    void writeNewTakesTheFirstFreeNameAndNeverOverwrites() throws Exception {
        Files.writeString(dir.resolve("p.json"), "first");
        Path written = AtomicFile.writeNew(dir, List.of("p.json", "p-2.json", "p-3.json"), out -> out.write('2'));
        assertThat(written).isEqualTo(dir.resolve("p-2.json")).hasContent("2");
        assertThat(dir.resolve("p.json")).hasContent("first");

        Files.writeString(dir.resolve("p-3.json"), "third");
        assertThatThrownBy(() -> AtomicFile.writeNew(dir, List.of("p.json", "p-2.json", "p-3.json"), out -> out.write('4')))
                .hasMessageContaining("cannot find a free name for p.json");
        assertThat(names()).containsExactly("p-2.json", "p-3.json", "p.json");
        assertThat(dir.resolve("p-3.json")).hasContent("third");
    }

    @Test
    void replaceGivesAFinishedFileTheTargetsName() throws Exception {
        Path live = Files.writeString(dir.resolve("nonces.db"), "old");
        Path built = Files.writeString(dir.resolve("nonces.db.rebuild.tmp"), "new");
        AtomicFile.replace(built, live);
        assertThat(live).hasContent("new");
        assertThat(built).doesNotExist();
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Writes a megabyte of args[0], says so, and waits to be killed. */
    public static final class HalfWritten {
        public static void main(String[] args) throws IOException {
            AtomicFile.write(Path.of(args[0]), out -> {
                out.write(new byte[HALF]);
                out.flush();
                System.out.println("half written");
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            });
        }
    }
}
