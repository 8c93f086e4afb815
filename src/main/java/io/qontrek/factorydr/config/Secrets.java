package io.qontrek.factorydr.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The runtime's secrets, read from the environment or from the file that NAME_FILE points to
 * (trailing newline trimmed). They are kept as bytes, never put into Camel properties, and
 * {@link #toString()} never shows them.
 */
public final class Secrets {
    public static final String ARCHIVE_KEY = "ARCHIVE_ENCRYPTION_KEY";
    public static final String SIGNING_SECRET = "FACTORY_SIGNING_SECRET";
    public static final String TOWER_SECRET = "TOWER_SIGNING_SECRET";
    /** The bearer token of serve's HTTP API; optional on loopback, required on any other address. */
    public static final String HTTP_TOKEN = "FACTORY_HTTP_TOKEN";
    /** The Ed25519 signing key's PKCS#8 PEM file (io.qontrek.factorydr.signing.SigningKey). */
    public static final String SIGNING_KEY_FILE = "FACTORY_SIGNING_KEY_FILE";
    private static final List<String> ALL = List.of(ARCHIVE_KEY, SIGNING_SECRET, TOWER_SECRET);

    private final Map<String, String> env;

    public Secrets(Map<String, String> env) {
        this.env = env;
    }

    /** The archive password (openssl enc -pass), or a usage error naming the variable. */
    public byte[] archiveKey() {
        return require(ARCHIVE_KEY);
    }

    /** The manifest and drill-proof signing key, or a usage error naming the variable. */
    public byte[] signingSecret() {
        return require(SIGNING_SECRET);
    }

    /** The tower receipt key, or a usage error naming the variable. */
    public byte[] towerSecret() {
        return require(TOWER_SECRET);
    }

    /** TOWER_SIGNING_SECRET, or null when it is not set (a check that needs it then says so itself). */
    public byte[] towerSecretIfSet() {
        return has(TOWER_SECRET) ? towerSecret() : null;
    }

    /** The HTTP API's bearer token, or null when neither FACTORY_HTTP_TOKEN nor FACTORY_HTTP_TOKEN_FILE is set. */
    public byte[] httpToken() {
        return read(HTTP_TOKEN);
    }

    /** The Ed25519 signing key's file, or null when FACTORY_SIGNING_KEY_FILE is not set. */
    public Path signingKeyFile() {
        String f = env.get(SIGNING_KEY_FILE);
        return f == null || f.isBlank() ? null : Path.of(f);
    }

    public boolean has(String name) {
        return read(name) != null;
    }

    /** Fails before anything is written when a command needs a secret that is not there. */
    public Secrets require(String... names) {
        for (String n : names) require(n);
        return this;
    }

    /** Every secret value that is set, so that backups can refuse any file that holds one. */
    public List<byte[]> knownValues() {
        List<byte[]> out = new ArrayList<>();
        for (String n : ALL) {
            byte[] v = read(n);
            if (v != null) out.add(v);
        }
        return out;
    }

    private byte[] require(String name) {
        byte[] v = read(name);
        if (v == null) {
            throw new ConfigException(name + " is not set: export " + name + " or " + name
                    + "_FILE (a file holding it)");
        }
        return v;
    }

    private byte[] read(String name) {
        String direct = env.get(name);
        if (direct != null && !direct.isEmpty()) return direct.getBytes(StandardCharsets.UTF_8);
        String file = env.get(name + "_FILE");
        if (file == null || file.isEmpty()) return null;
        try {
            byte[] bytes = Files.readAllBytes(Path.of(file));
            int end = bytes.length;
            while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) end--;
            if (end == 0) throw new ConfigException(name + "_FILE " + file + " is empty");
            return Arrays.copyOf(bytes, end);
        } catch (IOException e) {
            throw new ConfigException(name + "_FILE " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "Secrets[values hidden]";
    }
}
