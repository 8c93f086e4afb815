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
 * written (and again each time it is used), and loaded from there. sqlite-jdbc is told where only
 * once that load has worked ({@code org.sqlite.lib.path}): told of a copy it cannot load, it would look
 * for that name in its own jar and fail. The library is no more trusted than the jar it came from:
 * same directory, same owner. Anything unusual (classes not from a jar, a directory we cannot
 * write, a noexec mount, another platform) leaves sqlite-jdbc to its own way.
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
            // loaded by this class's loader, sqlite-jdbc's: its own System.load of the same file is then a no-op
            System.load(copy.toString());
            System.setProperty(PATH_PROPERTY, copy.getParent().toString());
            System.setProperty(NAME_PROPERTY, copy.getFileName().toString());
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
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
     * Beside {@code jar}: {@code <jar name>.sqlite-<crc>.so}, written under a temporary name and renamed
     * once its CRC-32 matches the jar entry's. Returns null when the jar has no such entry or the copy
     * cannot be written there.
     */
    static Path extracted(Path jar, String resource) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(resource);
            if (entry == null || entry.getCrc() < 0 || entry.getSize() < 0) return null;
            String base = jar.getFileName().toString().replaceFirst("\\.jar$", "");
            Path copy = jar.resolveSibling(String.format("%s.sqlite-%08x.so", base, entry.getCrc()));
            if (Files.isRegularFile(copy) && Files.size(copy) == entry.getSize() && crc(copy) == entry.getCrc()) return copy;
            if (!Files.isWritable(jar.getParent())) return null;
            Path tmp = Files.createTempFile(jar.getParent(), base + ".sqlite-", ".tmp");
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
            removeOthers(copy, base + ".sqlite-");
            return copy;
        }
    }

    private static long crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(Files.readAllBytes(file));
        return crc.getValue();
    }

    /** Copies from earlier builds of the jar (another CRC) are of no more use. */
    private static void removeOthers(Path copy, String prefix) throws IOException {
        try (var siblings = Files.newDirectoryStream(copy.getParent(), prefix + "*.so")) {
            for (Path p : siblings) {
                if (!p.equals(copy)) Files.deleteIfExists(p);
            }
        }
    }
}
