package io.qontrek.factorydr.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Chooses what of config/ a backup may hold (runtime contract, "Configuration and secrets"): the
 * key registry with its secret fields removed (metadata only; the live file is never changed),
 * and every other file except those that hold secrets: PEM files with a PRIVATE KEY block,
 * .env files, names containing "secret", and any file that contains the value of one of the
 * runtime's secrets.
 */
public final class ConfigSelection {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> secretFields;
    private final List<byte[]> secretValues;

    /**
     * @param secretFields the deny-list, matched case-insensitively as a substring of field names
     * @param secretValues the values of the secrets that are set, never to be archived
     */
    public ConfigSelection(List<String> secretFields, List<byte[]> secretValues) {
        this.secretFields = secretFields.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        // A value shorter than 8 bytes would match ordinary text by chance and skip harmless files.
        this.secretValues = secretValues.stream().filter(v -> v.length >= 8).toList();
    }

    /** The chosen config entries (under "config/"), plus what was redacted and skipped. */
    public record Selection(List<BackupSet.Entry> entries, List<String> redacted, List<String> skipped) {}

    public Selection select(Path configDir) throws IOException {
        List<BackupSet.Entry> entries = new ArrayList<>();
        List<String> redacted = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path file : RuntimeFiles.regularFiles(configDir)) {
            String rel = RuntimeFiles.relative(configDir, file);
            String name = "config/" + rel;
            if (rel.equals("key_registry.json")) {
                byte[] clean = redactKeyRegistry(Files.readAllBytes(file), name);
                if (holdsSecretValue(clean)) {
                    skipped.add(name);
                    continue;
                }
                entries.add(BackupSet.Entry.bytesOf(name, clean, file));
                redacted.add(name);
            } else if (holdsSecret(file)) {
                skipped.add(name);
            } else {
                entries.add(BackupSet.Entry.file(name, file));
            }
        }
        return new Selection(entries, redacted, skipped);
    }

    /** The key registry without any field on the deny-list, at any depth. */
    public byte[] redactKeyRegistry(byte[] json, String name) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(name + " is not valid JSON: " + e.getOriginalMessage());
        }
        strip(root);
        return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private void strip(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
                if (isSecretField(it.next())) it.remove();
            }
            obj.elements().forEachRemaining(this::strip);
        } else if (node instanceof ArrayNode arr) {
            arr.elements().forEachRemaining(this::strip);
        }
    }

    boolean isSecretField(String field) {
        String f = field.toLowerCase(Locale.ROOT);
        for (String s : secretFields) if (f.contains(s)) return true;
        return false;
    }

    /** True when a config file must stay out of backups. */
    public boolean holdsSecret(Path file) throws IOException {
        String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (fileName.equals(".env") || fileName.endsWith(".env") || fileName.startsWith(".env.")) return true;
        if (fileName.contains("secret")) return true;
        // Config files are small; reading them whole to look for key material is cheap.
        byte[] content = Files.readAllBytes(file);
        String text = new String(content, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----")) return true;
        return holdsSecretValue(content);
    }

    private boolean holdsSecretValue(byte[] content) {
        for (byte[] secret : secretValues) {
            if (indexOf(content, secret) >= 0) return true;
        }
        return false;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        if (needle.length == 0) return -1;
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
