package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.common.Hex;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files beside each archive {@code X}: {@code X.sha256} in {@code sha256sum} format (so
 * {@code cd dir && sha256sum -c X.sha256} works), the signed manifest {@code X.manifest.json}, and
 * the manifest's detached Ed25519 signature {@code X.manifest.json.sig} (written by the routes).
 * Each is published with {@link AtomicFile}, so a crash leaves either the old sidecar or the new one,
 * never half of one.
 */
public final class Sidecars {
    private static final Pattern SHA256SUM_LINE = Pattern.compile("([0-9a-f]{64}) ([ *])(.+)\n?");

    private Sidecars() {}

    public static Path sha256Path(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".sha256");
    }

    public static Path manifestPath(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".manifest.json");
    }

    /** {@code X.sig}: the detached Ed25519 signature of any file X (io.qontrek.factorydr.signing). */
    public static Path signaturePath(Path file) {
        return file.resolveSibling(file.getFileName() + ".sig");
    }

    /** {@code X.manifest.json.sig}: the manifest sidecar's detached signature, published just before the manifest. */
    public static Path manifestSignaturePath(Path archive) {
        return signaturePath(manifestPath(archive));
    }

    /** Writes {@code "<sha256>  <archive file name>\n"}, exactly what {@code sha256sum} prints. */
    public static void writeSha256(Path archive, String sha256Hex) throws IOException {
        if (!Hex.isHash(sha256Hex)) throw new IllegalArgumentException("not a lowercase hex SHA-256: " + sha256Hex);
        String name = archive.getFileName().toString();
        // sha256sum escapes these with a leading backslash; our archive names never contain them.
        if (name.contains("\n") || name.contains("\\")) throw new IllegalArgumentException("archive name has a newline or backslash: " + name);
        AtomicFile.write(sha256Path(archive), (sha256Hex + "  " + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the signed manifest, pretty-printed for operators; the signature covers its canonical form. */
    public static void writeManifest(Path archive, Manifest signed) throws IOException {
        if (signed.signature() == null || signed.archive() == null) {
            throw new IllegalArgumentException("manifest " + signed.backupId() + " is not signed; sign it before writing " + manifestPath(archive).getFileName());
        }
        AtomicFile.write(manifestPath(archive), out -> ManifestJson.writePretty(signed, out));
    }

    /** The hash in {@code X.sha256}, after checking it is one sha256sum line naming {@code X}'s file name. */
    public static String readSha256(Path archive) throws ArchiveException {
        Path path = sha256Path(archive);
        String sidecar = path.getFileName().toString();
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ArchiveException(sidecar + ": missing");
        } catch (IOException e) {
            throw new ArchiveException(sidecar + ": cannot read: " + e.getMessage(), e);
        }
        Matcher m = SHA256SUM_LINE.matcher(text);
        if (!m.matches()) throw new ArchiveException(sidecar + ": not in sha256sum format ('<64 hex>  <file name>')");
        String name = archive.getFileName().toString();
        if (!m.group(3).equals(name)) throw new ArchiveException(sidecar + ": names '" + m.group(3) + "', not '" + name + "'");
        return m.group(1);
    }

    /** The parsed {@code X.manifest.json}; its signature is not checked here. Its files spill to java.io.tmpdir. */
    public static Manifest readManifest(Path archive) throws ArchiveException {
        return readManifest(archive, null);
    }

    /** The same, its file list spilling (when long) into {@code spillDir}. The caller closes it. */
    public static Manifest readManifest(Path archive, Path spillDir) throws ArchiveException {
        Path path = manifestPath(archive);
        String sidecar = path.getFileName().toString();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return ManifestJson.parse(in, spillDir);
        } catch (NoSuchFileException e) {
            throw new ArchiveException(sidecar + ": missing");
        } catch (ArchiveException e) {
            throw new ArchiveException(sidecar + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ArchiveException(sidecar + ": cannot read: " + e.getMessage(), e);
        }
    }
}
