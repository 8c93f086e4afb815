package io.qontrek.factorydr.signing;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.Sidecars;
import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.common.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The files of detached signatures: {@code X.sig} beside {@code X} (the raw 64-byte Ed25519
 * signature, nothing else, as {@code openssl pkeyutl -sign -rawin} writes it), and the public key
 * published in the archive directory ({@value #PUBLIC_KEY_FILE}).
 */
public final class DetachedSignatures {
    /** An Ed25519 signature's length (RFC 8032). */
    public static final int LENGTH = 64;
    public static final String PUBLIC_KEY_FILE = "signing-key.pub.pem";

    private DetachedSignatures() {}

    /** {@code X.sig}. */
    public static Path of(Path file) {
        return Sidecars.signaturePath(file);
    }

    /** Writes {@code X.sig} atomically (temporary name, fsync, rename, directory fsync), replacing an older one. */
    public static Path write(Path file, byte[] signature) throws IOException {
        if (signature.length != LENGTH) {
            throw new IllegalArgumentException("an Ed25519 signature is " + LENGTH + " bytes, not " + signature.length);
        }
        Path sig = of(file);
        AtomicFile.write(sig, signature);
        return sig;
    }

    /** The signature in {@code X.sig}, or null when there is none (X was written before signatures existed). */
    public static byte[] read(Path file) throws ArchiveException {
        Path sig = of(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(sig);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ArchiveException(sig.getFileName() + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length != LENGTH) {
            throw new ArchiveException(sig.getFileName() + ": " + bytes.length + " bytes, not a raw " + LENGTH + "-byte Ed25519 signature");
        }
        return bytes;
    }

    /** The published public key's file in an archive directory. */
    public static Path publicKeyFile(Path archiveDir) {
        return archiveDir.resolve(PUBLIC_KEY_FILE);
    }

    /**
     * Publishes {@code key} as {@value #PUBLIC_KEY_FILE} in the archive directory, written atomically,
     * replaced only when it differs: the key it replaces is kept as {@code signing-key-<fingerprint>.pub.pem},
     * so the signatures it made can still be checked. Returns the published file.
     */
    public static Path publish(Path archiveDir, PublicKey key) throws IOException {
        Path file = publicKeyFile(archiveDir);
        String pem = SigningKey.publicPem(key);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            String old = Files.readString(file, StandardCharsets.US_ASCII);
            if (old.equals(pem)) return file;
            String retired;
            try {
                retired = fingerprintedName(SigningKey.parsePublicPem(old));
            } catch (GeneralSecurityException unreadable) {
                retired = "signing-key-unreadable-" + System.currentTimeMillis() + ".pub.pem";
            }
            Path kept = archiveDir.resolve(retired);
            if (!Files.exists(kept, LinkOption.NOFOLLOW_LINKS)) AtomicFile.write(kept, old.getBytes(StandardCharsets.US_ASCII));
        }
        OwnerOnly.directories(archiveDir);
        AtomicFile.write(file, pem.getBytes(StandardCharsets.US_ASCII));
        return file;
    }

    /**
     * The name a public key keeps for good, whatever key is current: {@code signing-key-<first 16 hex of the
     * SHA-256 of its DER>.pub.pem}. A retired key is kept under it locally, and every key offsite.
     */
    public static String fingerprintedName(PublicKey key) {
        return "signing-key-" + SigningKey.fingerprint(key).substring(0, 16) + ".pub.pem";
    }

    /** Whether {@code fileName} has the form of {@link #fingerprintedName} (it may still not be its key's). */
    public static boolean isFingerprintedName(String fileName) {
        return RETIRED_NAME.matcher(fileName).matches();
    }

    /** A public key kept after a rotation, and its file. */
    public record RetiredKey(Path file, PublicKey key) {}

    /** The retired keys found, and the files of that name pattern left out, each with why. */
    public record RetiredKeys(List<RetiredKey> keys, List<String> skipped) {}

    private static final Pattern RETIRED_NAME = Pattern.compile("signing-key-[0-9a-f]{16}\\.pub\\.pem");

    /**
     * The key in {@code file} when it is a regular file holding an Ed25519 public key PEM under its own
     * key's fingerprinted name ({@link #fingerprintedName}); else why not, as {@link FingerprintedKey#whyNot}.
     */
    public static FingerprintedKey fingerprintedKey(Path file) {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return new FingerprintedKey(null, "not a regular file");
        PublicKey key;
        try {
            key = SigningKey.parsePublicPem(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException | IOException notAKey) {
            return new FingerprintedKey(null, "not an Ed25519 public key PEM");
        }
        if (!isFingerprintedName(name) || !name.equals(fingerprintedName(key))) {
            return new FingerprintedKey(null, "not named by its key's fingerprint, " + fingerprintedName(key));
        }
        return new FingerprintedKey(key, null);
    }

    /** A key file read by {@link #fingerprintedKey}: the key, or null and why not. */
    public record FingerprintedKey(PublicKey key, String whyNot) {}

    /** Whether two public keys are the same key. */
    public static boolean sameKey(PublicKey a, PublicKey b) {
        return a != null && b != null && Arrays.equals(a.getEncoded(), b.getEncoded());
    }

    /**
     * The public keys a rotation replaced, kept in the archive directory as
     * {@code signing-key-<fingerprint>.pub.pem} (by {@link #publish}, or copied from the bucket), in name
     * order. Only what {@link #fingerprintedKey} accepts counts; any other file of the pattern is
     * skipped and named. {@code current}, when there under its fingerprint too, is not a retired key.
     * Deleting a file (a key that leaked) makes whatever that key signed fail verification.
     */
    public static RetiredKeys retired(Path archiveDir, PublicKey current) throws IOException {
        List<RetiredKey> keys = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (!Files.isDirectory(archiveDir)) return new RetiredKeys(keys, skipped);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(archiveDir, "signing-key-*.pub.pem")) {
            for (Path file : files) {
                FingerprintedKey k = fingerprintedKey(file);
                if (k.key() == null) {
                    skipped.add(file.getFileName() + " (" + k.whyNot() + ")");
                } else if (!sameKey(current, k.key())) {
                    keys.add(new RetiredKey(file, k.key()));
                }
            }
        }
        keys.sort(Comparator.comparing(k -> k.file().getFileName().toString()));
        skipped.sort(Comparator.naturalOrder());
        return new RetiredKeys(keys, skipped);
    }

    /** The published public key, or null when the archive directory has none. */
    public static PublicKey published(Path archiveDir) throws ArchiveException {
        Path file = publicKeyFile(archiveDir);
        try {
            return SigningKey.parsePublicPem(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | GeneralSecurityException e) {
            throw new ArchiveException(file + ": not an Ed25519 public key PEM: " + e.getMessage(), e);
        }
    }
}
