package io.qontrek.factorydr.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteNativeLibraryTest {
    private static final String RESOURCE = "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so";

    @TempDir
    Path dir;

    @Test
    void theRealLibraryIsExtractedBesideAJarThatHoldsItByteForByte() throws Exception {
        String resource = SqliteNativeLibrary.resourceFor(System.getProperty("os.name"), System.getProperty("os.arch"));
        assertThat(resource).as("this platform").isNotNull();
        // sqlite-jdbc's own jar stands in for the application jar; a copy, so nothing is written beside the original
        Path original = Path.of(Class.forName("org.sqlite.SQLiteJDBCLoader").getProtectionDomain()
                .getCodeSource().getLocation().toURI());
        Path jar = Files.copy(original, dir.resolve("factory-dr.jar"));

        Path copy = SqliteNativeLibrary.extracted(jar, resource);

        assertThat(copy.getParent().getParent()).isEqualTo(dir);
        assertThat(copy.getParent().getFileName().toString()).matches("factory-dr\\.sqlite-[0-9a-f]{8}");
        assertThat(copy.getFileName().toString()).as("sqlite-jdbc's own name").isEqualTo("libsqlitejdbc.so");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            assertThat(Files.readAllBytes(copy)).isEqualTo(in.readAllBytes());
        }
        try (var left = Files.list(copy.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("libsqlitejdbc.so");
        }
    }

    /** A JVM that runs from the application jar: the copy is loaded, and SQLite works through it. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            SqliteNativeLibrary.useExtractedCopy();
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
                 var rs = c.createStatement().executeQuery("SELECT sqlite_version()")) {
                rs.next();
                System.out.println(System.getProperty("org.sqlite.lib.path") + "/" + System.getProperty("org.sqlite.lib.name")
                        + " " + rs.getString(1));
            }
        }
    }

    @Test
    void aJvmRunningFromTheApplicationJarLoadsTheCopyAndNothingGoesToTmp() throws Exception {
        Path app = applicationJar();
        Path tmp = Files.createDirectories(dir.resolve("tmp"));

        String output = runChild(app, tmp);

        assertThat(output).as("SQLite answered through the copy beside the jar")
                .matches("(?s)" + java.util.regex.Pattern.quote(app.getParent().toString())
                        + "/factory-dr\\.sqlite-[0-9a-f]{8}/libsqlitejdbc\\.so 3\\.\\d+\\.\\d+\\s*");
        assertThat(tmp).as("sqlite-jdbc extracted nothing of its own").isEmptyDirectory();
    }

    @Test
    void aCopyThatWillNotLoadLeavesSqliteToItsOwnWay() throws Exception {
        Path app = applicationJar();
        Path copy = SqliteNativeLibrary.extracted(app, RESOURCE);
        Files.write(copy, new byte[(int) Files.size(copy)]);   // right size, no library: dlopen refuses it
        Path tmp = Files.createDirectories(dir.resolve("tmp"));

        String output = runChild(app, tmp);

        // told of the broken copy, sqlite-jdbc found nothing loadable there and took its jar's own
        assertThat(output).as("SQLite still answers").containsPattern("libsqlitejdbc\\.so 3\\.\\d+\\.\\d+\\s*$");
    }

    /** The application jar as the shade plugin makes it: our class and sqlite-jdbc in one jar. */
    private Path applicationJar() throws Exception {
        Path sqliteJar = Path.of(Class.forName("org.sqlite.SQLiteJDBCLoader").getProtectionDomain().getCodeSource().getLocation().toURI());
        Path app = Files.createDirectories(dir.resolve("app")).resolve("factory-dr.jar");
        try (var in = new java.util.zip.ZipFile(sqliteJar.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(app))) {
            for (var e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream body = in.getInputStream(e)) {
                    body.transferTo(out);
                }
            }
            String own = SqliteNativeLibrary.class.getName().replace('.', '/') + ".class";
            out.putNextEntry(new ZipEntry(own));
            try (InputStream body = SqliteNativeLibrary.class.getClassLoader().getResourceAsStream(own)) {
                body.transferTo(out);
            }
        }
        return app;
    }

    /** Runs Child from the application jar with its own tmpdir; returns what it printed. */
    private static String runChild(Path app, Path tmp) throws Exception {
        Path testClasses = Path.of(Child.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", app + java.io.File.pathSeparator + testClasses, Child.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor()).as(output).isZero();
        return output;
    }

    @Test
    void aCopyOfTheRightSizeIsReusedAndOneOfAnotherSizeWrittenAgain() throws Exception {
        Path jar = jarWith(RESOURCE, "the library".getBytes());
        Path copy = SqliteNativeLibrary.extracted(jar, RESOURCE);
        FileTime written = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(copy, written);

        assertThat(SqliteNativeLibrary.extracted(jar, RESOURCE)).isEqualTo(copy);
        assertThat(Files.getLastModifiedTime(copy)).as("not rewritten").isEqualTo(written);

        Files.writeString(copy, "truncated");
        assertThat(SqliteNativeLibrary.extracted(jar, RESOURCE)).isEqualTo(copy);
        assertThat(Files.readString(copy)).isEqualTo("the library");

        assertThat(Files.getPosixFilePermissions(copy)).as("readable by whoever may run the jar")
                .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    }

    @Test
    void aRebuiltJarReplacesTheCopyOfTheEarlierBuild() throws Exception {
        Path jar = jarWith(RESOURCE, "old library".getBytes());
        Path old = SqliteNativeLibrary.extracted(jar, RESOURCE);
        Files.delete(jar);
        jar = jarWith(RESOURCE, "new library, longer".getBytes());

        Path fresh = SqliteNativeLibrary.extracted(jar, RESOURCE);

        assertThat(fresh).isNotEqualTo(old).exists();
        assertThat(old).doesNotExist();
    }

    @Test
    void nothingIsExtractedWhereTheJarHasNoLibraryOrItsDirectoryIsReadOnly() throws Exception {
        assertThat(SqliteNativeLibrary.extracted(jarWith("other/file.txt", new byte[] {1}), RESOURCE)).isNull();

        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Path jar = Files.move(jarWith(RESOURCE, "lib".getBytes()), readOnly.resolve("factory-dr.jar"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            if (Files.isWritable(readOnly)) return;   // root writes anywhere: nothing to show here
            assertThat(SqliteNativeLibrary.extracted(jar, RESOURCE)).isNull();
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void onlyLinuxOnTheArchitecturesSqliteShipsIsExtracted() {
        assertThat(SqliteNativeLibrary.resourceFor("Linux", "amd64")).isEqualTo(RESOURCE);
        assertThat(SqliteNativeLibrary.resourceFor("Linux", "aarch64"))
                .isEqualTo("org/sqlite/native/Linux/aarch64/libsqlitejdbc.so");
        assertThat(SqliteNativeLibrary.resourceFor("Mac OS X", "aarch64")).isNull();
        assertThat(SqliteNativeLibrary.resourceFor("Linux", "riscv64")).isNull();
    }

    @Test
    void classesOutsideAJarLeaveSqliteToItsOwnWay() {
        // under Maven our classes come from target/classes, not from the application jar
        assertThat(SqliteNativeLibrary.applicationJar()).isNull();
    }

    private Path jarWith(String name, byte[] content) throws IOException {
        Path jar = dir.resolve("factory-dr.jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return jar;
    }
}
