package io.qontrek.factorydr.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * SQLite's native library, extracted once per application jar instead of once per process.
 *
 * <p>sqlite-jdbc writes its 1 MB library to a fresh file under /tmp on every start, reads it back to
 * compare it with the jar's copy and deletes it at exit: about 0.1 s of every command, and a file left
 * behind by every process that is killed. When the application runs from its jar, the library is
 * written beside that jar instead, named by the jar entry's CRC-32 and checked against it as it is
 * written, and sqlite-jdbc is told to load it from there ({@code org.sqlite.lib.path}) when it first
 * opens a database. The library is no more trusted than the jar it came from: same directory, same
 * owner. Anything unusual (classes not from a jar, a directory we cannot write, a copy that will not
 * load, another platform) leaves sqlite-jdbc to its own way.
 */
public final class SqliteNativeLibrary {
    private static final String PATH_PROPERTY = "org.sqlite.lib.path";
    private static final String NAME_PROPERTY = "org.sqlite.lib.name";
    private static final String LIBRARY = "libsqlitejdbc.so";

    private SqliteNativeLibrary() {}

    /** Loads the extracted copy (extracting it first if needed) and points sqlite-jdbc at it. Never fails. */
    public static void useExtractedCopy() {
        if (System.getProperty(PATH_PROPERTY) != null) return;   // the operator chose one
        try {
            Path jar = applicationJar();
            String resource = resourceFor(System.getProperty("os.name"), System.getProperty("os.arch"));
            if (jar == null || resource == null) return;
            Path copy = extracted(jar, resource);
            if (copy == null) return;
            // sqlite-jdbc loads it when a database is first opened, not here: most commands open none
            System.setProperty(PATH_PROPERTY, copy.getParent().toString());
            System.setProperty(NAME_PROPERTY, copy.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            // only ever an optimisation: sqlite-jdbc extracts its own copy as it always did
        }
    }

    /** The jar holding both this class and sqlite-jdbc (the packaged application), else null. */
    static Path applicationJar() {
        Path ours = codeSource(SqliteNativeLibrary.class.getProtectionDomain().getCodeSource());
        Path sqlite;
        try {
            sqlite = codeSource(Class.forName("org.sqlite.SQLiteJDBCLoader", false,
                    SqliteNativeLibrary.class.getClassLoader()).getProtectionDomain().getCodeSource());
        } catch (ClassNotFoundException e) {
            return null;
        }
        if (ours == null || !ours.equals(sqlite) || !ours.getFileName().toString().endsWith(".jar")) return null;
        return ours;
    }

    private static Path codeSource(CodeSource source) {
        if (source == null || source.getLocation() == null) return null;
        try {
            return Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** The library's place in sqlite-jdbc's jar layout, for the platforms we extract on (Linux). */
    static String resourceFor(String osName, String osArch) {
        if (osName == null || osArch == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) return null;
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        return arch == null ? null : "org/sqlite/native/Linux/" + arch + "/" + LIBRARY;
    }

    /**
     * Beside {@code jar}: {@code <jar name>.sqlite-<crc>/libsqlitejdbc.so}, written under a temporary
     * name and renamed once its CRC-32 matches the jar entry's. Under sqlite-jdbc's own file name: told
     * of a copy it cannot load (a noexec mount, a damaged file), sqlite-jdbc goes on to look for that
     * name in its jar, which then has it, and extracts its own as it always did. Returns null when the
     * jar has no such entry or the copy cannot be written there.
     */
    static Path extracted(Path jar, String resource) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(resource);
            if (entry == null || entry.getCrc() < 0 || entry.getSize() < 0) return null;
            String base = jar.getFileName().toString().replaceFirst("\\.jar$", "");
            Path dir = jar.resolveSibling(String.format("%s.sqlite-%08x", base, entry.getCrc()));
            Path copy = dir.resolve(LIBRARY);
            // checked by size at each start (its CRC was checked as it was written): a cold read of
            // 1 MB would cost every command, most of which never open a database
            if (Files.isRegularFile(copy) && Files.size(copy) == entry.getSize()) return copy;
            if (!Files.isWritable(jar.getParent())) return null;
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, LIBRARY, ".tmp");
            // readable by whoever may run the jar, as the jar is (createTempFile makes it 0600)
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try {
                CRC32 crc = new CRC32();
                try (InputStream in = zip.getInputStream(entry);
                        OutputStream out = new CheckedOutputStream(Files.newOutputStream(tmp), crc)) {
                    in.transferTo(out);
                }
                if (crc.getValue() != entry.getCrc() || Files.size(tmp) != entry.getSize()) return null;
                Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            removeOthers(dir, base + ".sqlite-");
            return copy;
        }
    }

    /** Copies from earlier builds of the jar (another CRC) are of no more use. */
    private static void removeOthers(Path dir, String prefix) throws IOException {
        try (var siblings = Files.newDirectoryStream(dir.getParent(), prefix + "*")) {
            for (Path other : siblings) {
                if (other.equals(dir) || !Files.isDirectory(other, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                try (var inside = Files.newDirectoryStream(other)) {
                    for (Path f : inside) Files.deleteIfExists(f);
                }
                Files.deleteIfExists(other);
            }
        }
    }
}
