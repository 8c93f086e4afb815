package io.qontrek.factorydr.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The resolved configuration: embedded defaults, then the properties file, then environment
 * variables, then command-line overrides; the last one that sets a key wins. Typed getters
 * validate as they read and fail naming the property, the value and where it came from.
 */
public final class Settings {
    /** The embedded copy of config/application.properties, packed into the jar. */
    static final String DEFAULTS_RESOURCE = "/factory-dr/application.properties";

    private final Path home;
    private final Map<String, String> values;
    private final Map<String, String> origins;
    /** Loads these settings again from the same sources, as a restart would. */
    private final java.util.function.Supplier<Settings> again;

    private Settings(Path home, Map<String, String> values, Map<String, String> origins, java.util.function.Supplier<Settings> again) {
        this.home = home;
        this.values = values;
        this.origins = origins;
        this.again = again;
    }

    /**
     * Loads settings.
     *
     * @param configFile the properties file (a relative one from the working directory, as any command
     *        line path); if null, FACTORY_CONFIG, else the installation's config/application.properties
     *        when present ({@link Installation})
     * @param env the environment (System.getenv() in production)
     * @param overrides command-line values, keyed by property name
     */
    public static Settings load(Path configFile, Map<String, String> env, Map<String, String> overrides) {
        Path home = Installation.home(env);
        Map<String, String> values = new TreeMap<>();
        Map<String, String> origins = new TreeMap<>();
        Properties defaults = new Properties();
        try (InputStream in = Settings.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) throw new IllegalStateException("embedded defaults missing: " + DEFAULTS_RESOURCE);
            defaults.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read embedded defaults", e);
        }
        putAll(defaults, "embedded defaults", values, origins);

        String explicit = configFile != null ? configFile.toString() : env.get("FACTORY_CONFIG");
        Path file = explicit != null && !explicit.isBlank() ? Path.of(explicit) : home.resolve("config/application.properties");
        if (Files.isRegularFile(file)) {
            Properties fromFile = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                fromFile.load(r);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
            putAll(fromFile, file.toString(), values, origins);
        } else if (explicit != null && !explicit.isBlank()) {
            throw new ConfigException("configuration file " + file + " does not exist (from --config or FACTORY_CONFIG)");
        }

        for (String key : List.copyOf(values.keySet())) {
            String name = envName(key);
            String v = env.get(name);
            if (v != null) {
                values.put(key, v.trim());
                origins.put(key, "environment variable " + name);
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            if (o.getValue() == null) continue;
            values.put(o.getKey(), o.getValue());
            origins.put(o.getKey(), "command line");
        }
        return new Settings(home, values, origins, () -> load(configFile, env, overrides));
    }

    /**
     * The settings a restart would load now: the same file, environment and command line, read
     * again (so a file edited since start shows). Not validated.
     */
    public Settings reloaded() {
        return again.get();
    }

    private static void putAll(Properties p, String origin, Map<String, String> values, Map<String, String> origins) {
        for (String k : p.stringPropertyNames()) {
            values.put(k, p.getProperty(k).trim());
            origins.put(k, origin);
        }
    }

    /** factory.s3.bucket -> FACTORY_S3_BUCKET. */
    public static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The installation directory: where config/ and routes/ are read from ({@link Installation}). */
    public Path home() {
        return home;
    }

    /** A path of the installation (such as factory.routes-dir): a relative one is under {@link #home()}. */
    public Path inHome(String path) {
        return home.resolve(path).normalize();
    }

    public String get(String key) {
        String v = values.get(key);
        return v == null ? "" : v;
    }

    public String get(String key, String fallback) {
        String v = get(key);
        return v.isEmpty() ? fallback : v;
    }

    public int getInt(String key, int min, int max) {
        String v = get(key);
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) throw new NumberFormatException();
            return i;
        } catch (NumberFormatException e) {
            throw invalid(key, "a whole number from " + min + " to " + max);
        }
    }

    /** An optional port: empty means none. */
    public Integer getPort(String key) {
        return get(key).isEmpty() ? null : getInt(key, 1, 65535);
    }

    public boolean getBoolean(String key) {
        String v = get(key).toLowerCase(Locale.ROOT);
        if (v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw invalid(key, "true or false");
    }

    public List<String> getList(String key) {
        String v = get(key);
        if (v.isEmpty()) return List.of();
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public ConfigException invalid(String key, String expected) {
        return new ConfigException("invalid " + key + "='" + get(key) + "' (from " + origin(key) + "): expected " + expected);
    }

    /** As {@link #invalid}, without the value: a URL setting may carry a token in any part of it. */
    public ConfigException invalidNotShown(String key, String expected) {
        return new ConfigException("invalid " + key + " (from " + origin(key) + ", value not shown): expected " + expected);
    }

    public String origin(String key) {
        return origins.getOrDefault(key, "default");
    }

    /** Every resolved value, for handing to Camel as properties. Holds no secret: secrets never live here. */
    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** The system clock, or the instant factory.now pins for drills and tests. */
    public java.time.Clock clock() {
        String v = get("factory.now");
        if (v.isEmpty()) return java.time.Clock.systemUTC();
        try {
            return java.time.Clock.fixed(java.time.Instant.parse(v), java.time.ZoneOffset.UTC);
        } catch (java.time.format.DateTimeParseException e) {
            throw invalid("factory.now", "an ISO instant such as 2025-10-26T03:00:00Z, or nothing");
        }
    }
}
