package io.qontrek.factorydr.signing;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Ed25519 signing key: a PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}, what {@code
 * factory-dr keys init} and {@code openssl genpkey -algorithm ed25519} write) that only its owner may
 * read, and its public key as a SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}, what
 * openssl reads). Every problem with the file is a {@link ConfigException} of one line naming it.
 */
public final class SigningKey {
    public static final String ALGORITHM = "Ed25519";
    /** The environment variable naming the private key file. */
    public static final String FILE_VARIABLE = io.qontrek.factorydr.config.Secrets.SIGNING_KEY_FILE;
    private static final Pattern PRIVATE_PEM = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END PRIVATE KEY-----");
    private static final Pattern PUBLIC_PEM = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END PUBLIC KEY-----");

    private final Path file;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SigningKey(Path file, PrivateKey privateKey, PublicKey publicKey) {
        this.file = file;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    public Path file() {
        return file;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Reads the key file, refusing one that anyone but its owner may read. */
    public static SigningKey load(Path file) {
        String text;
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new ConfigException("signing key " + file + " may be read by others (mode "
                        + PosixFilePermissions.toString(perms) + "): chmod 600 " + file);
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new ConfigException("signing key " + file + " does not exist: make one with `factory-dr keys init`");
        } catch (IOException | UnsupportedOperationException e) {
            throw new ConfigException("signing key " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
        if (text.contains("ENCRYPTED PRIVATE KEY")) {
            throw new ConfigException("signing key " + file + " is an encrypted key; give an unencrypted PKCS#8 PEM (only its owner can read it)");
        }
        Matcher m = PRIVATE_PEM.matcher(text);
        if (!m.find()) {
            throw new ConfigException("signing key " + file + " holds no '-----BEGIN PRIVATE KEY-----' block (a PKCS#8 PEM, as `factory-dr keys init` writes)");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            PrivateKey key = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
            return new SigningKey(file, key, publicKeyOf(key));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigException("signing key " + file + " is not an Ed25519 private key (" + e.getClass().getSimpleName()
                    + "); make one with `factory-dr keys init` or `openssl genpkey -algorithm ed25519`");
        }
    }

    /** The key FACTORY_SIGNING_KEY_FILE names (null: not set); fails naming `factory-dr keys init` when it is not set. */
    public static SigningKey configured(Path file) {
        if (file == null) {
            throw new ConfigException(FILE_VARIABLE + " is not set: make a signing key with `factory-dr keys init --file=FILE` and export "
                    + FILE_VARIABLE + "=FILE (every backup, drill and panic recovery signs with it)");
        }
        return load(file);
    }

    /**
     * Makes a new key in {@code file}, which must not exist (never overwritten): created 0600 from the
     * start, written, fsynced, its directory fsynced.
     */
    public static SigningKey create(Path file) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " missing from this JVM", e);
        }
        Path dir = file.toAbsolutePath().getParent();
        OwnerOnly.directories(dir);
        byte[] pem = pem("PRIVATE KEY", pair.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = OwnerOnly.create(file)) {
            ByteBuffer buf = ByteBuffer.wrap(pem);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException(file + " exists; a signing key is never overwritten (move it away first to make a new one)");
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        return new SigningKey(file, pair.getPrivate(), pair.getPublic());
    }

    /** The public key as openssl reads it: a SubjectPublicKeyInfo PEM. */
    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** Parses a SubjectPublicKeyInfo PEM holding an Ed25519 public key. */
    public static PublicKey parsePublicPem(String text) throws GeneralSecurityException {
        Matcher m = PUBLIC_PEM.matcher(text);
        if (!m.find()) throw new GeneralSecurityException("no '-----BEGIN PUBLIC KEY-----' block");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1))));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("not base64: " + e.getMessage());
        }
    }

    /** SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex: what names a retired key. */
    public static String fingerprint(PublicKey key) {
        return Hashes.sha256Hex(key.getEncoded());
    }

    /**
     * The public key of a private key. The JDK derives it only when generating a pair, so the pair is
     * generated again from the private key's own 32 bytes (RFC 8032: the private key is that seed).
     */
    static PublicKey publicKeyOf(PrivateKey key) throws GeneralSecurityException {
        byte[] seed = ((EdECPrivateKey) key).getBytes().orElseThrow(() -> new GeneralSecurityException("the private key hides its bytes"));
        KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
        g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                if (bytes.length != seed.length) throw new IllegalStateException("expected a request for the " + seed.length + "-byte seed");
                System.arraycopy(seed, 0, bytes, 0, seed.length);
            }
        });
        KeyPair pair = g.generateKeyPair();
        if (!java.util.Arrays.equals(((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(null), seed)) {
            throw new GeneralSecurityException("cannot derive the public key");
        }
        return pair.getPublic();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Override
    public String toString() {
        return "SigningKey[" + file + ", private key hidden]";
    }
}
