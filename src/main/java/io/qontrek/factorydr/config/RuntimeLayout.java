package io.qontrek.factorydr.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the runtime's directories are (runtime contract, "Layout"), each movable on its own. */
public record RuntimeLayout(Path root, Path proofDir, Path configDir, Path dataDir, Path logsDir, Path archiveDir) {

    public static RuntimeLayout of(Settings s) {
        Path root = Path.of(s.get("factory.root", ".")).toAbsolutePath().normalize();
        return new RuntimeLayout(root,
                dir(s, "factory.proof-dir", root.resolve("proof")),
                dir(s, "factory.config-dir", root.resolve("config")),
                dir(s, "factory.data-dir", root.resolve("data")),
                dir(s, "factory.logs-dir", root.resolve("logs")),
                dir(s, "factory.archive-dir", root.resolve("archive")));
    }

    /** Every directory in its default place under root, the archive in root/archive. */
    public static RuntimeLayout under(Path root) {
        return under(root, root.resolve("archive"));
    }

    /** The same layout rooted elsewhere, every directory in its default place (for staging copies). */
    public static RuntimeLayout under(Path root, Path archiveDir) {
        Path r = root.toAbsolutePath().normalize();
        return new RuntimeLayout(r, r.resolve("proof"), r.resolve("config"), r.resolve("data"), r.resolve("logs"),
                archiveDir.toAbsolutePath().normalize());
    }

    private static Path dir(Settings s, String key, Path fallback) {
        String v = s.get(key);
        return v.isEmpty() ? fallback : Path.of(v).toAbsolutePath().normalize();
    }

    /** {@code <archive-dir>/.control}: the service's control socket, in a directory only its user enters. */
    public Path controlDir() {
        return archiveDir.resolve(".control");
    }

    /** {@code <archive-dir>/.locks}: one lock file per flow, and the service's (FlowLock). */
    public Path lockDir() {
        return archiveDir.resolve(".locks");
    }

    public Path ledgerDb() {
        return dataDir.resolve("federation_ledger.db");
    }

    public Path nonceStoreDb() {
        return dataDir.resolve("nonce_store.db");
    }

    public Path receiptsDb() {
        return dataDir.resolve("receipts.db");
    }

    public Path keyRegistry() {
        return configDir.resolve("key_registry.json");
    }

    public Path panicFlag() {
        return dataDir.resolve("ATLAS_PANIC");
    }

    public Path digestsDir() {
        return proofDir.resolve("digests");
    }

    public Path alertsDir() {
        return logsDir.resolve("alerts");
    }

    public Path catalogDb() {
        return archiveDir.resolve("catalog.db");
    }

    /** Fails with a usage error when the runtime this command reads is not there. */
    public RuntimeLayout requireRuntime() {
        requireProofs();
        requireDir(configDir, "config directory (factory.config-dir)");
        requireDir(dataDir, "data directory (factory.data-dir)");
        return this;
    }

    /**
     * Fails with a usage error when, as they really are (links resolved), one of proof/, config/, data/,
     * logs/ and the archive directory holds the runtime's root, or is, holds or lies in another: a backup
     * would archive the runtime inside itself, its secrets and live databases through logs/ unfiltered,
     * or its own archives (a logs/ link to a directory above the runtime, say).
     */
    public RuntimeLayout requireSeparate() throws java.io.IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        dirs.put("proof directory (factory.proof-dir)", proofDir);
        dirs.put("config directory (factory.config-dir)", configDir);
        dirs.put("data directory (factory.data-dir)", dataDir);
        dirs.put("logs directory (factory.logs-dir)", logsDir);
        dirs.put("archive directory (factory.archive-dir)", archiveDir);
        Path realRoot = resolved(root);
        Map<String, Path> real = new LinkedHashMap<>();
        for (Map.Entry<String, Path> d : dirs.entrySet()) {
            Path r = resolved(d.getValue());
            if (realRoot.startsWith(r)) throw new ConfigException(d.getKey() + " " + shown(d.getValue(), r) + " holds the runtime root " + root);
            real.put(d.getKey(), r);
        }
        Optional<List<String>> overlap = overlapping(real);
        if (overlap.isPresent()) {
            String a = overlap.get().get(0);
            String b = overlap.get().get(1);
            throw new ConfigException(b + " " + shown(dirs.get(b), real.get(b)) + " and " + a + " " + shown(dirs.get(a), real.get(a))
                    + " are one directory, or one holds the other");
        }
        return this;
    }

    /** The first two of these directories (by name, in order) that are one directory or of which one holds the other. */
    public static Optional<List<String>> overlapping(Map<String, Path> real) {
        List<String> names = new ArrayList<>(real.keySet());
        for (int j = 1; j < names.size(); j++) {
            for (int i = 0; i < j; i++) {
                Path a = real.get(names.get(i));
                Path b = real.get(names.get(j));
                if (a.startsWith(b) || b.startsWith(a)) return Optional.of(List.of(names.get(i), names.get(j)));
            }
        }
        return Optional.empty();
    }

    private static String shown(Path dir, Path real) {
        return real.equals(dir.toAbsolutePath().normalize()) ? dir.toString() : dir + " (really " + real + ")";
    }

    /** Fails with a usage error when proof/ is not there (what an incremental and a daily proof archive read). */
    public RuntimeLayout requireProofs() {
        requireDir(proofDir, "proof directory (factory.proof-dir)");
        return this;
    }

    /** Fails with a usage error when logs/ is not there (what an alert archive reads). */
    public RuntimeLayout requireLogs() {
        requireDir(logsDir, "logs directory (factory.logs-dir)");
        return this;
    }

    /**
     * Fails with a usage error when the archives this command reads are not there, before anything is
     * created: a wrong --root must not read as lost backups, nor leave an empty catalog behind.
     */
    public RuntimeLayout requireArchive() {
        requireArchiveDir();
        if (!Files.isRegularFile(catalogDb())) {
            throw new ConfigException("no catalog at " + catalogDb() + ": is --root (or factory.archive-dir) right?"
                    + " If the archives are there, `factory-dr catalog rebuild` makes one from their manifests");
        }
        return this;
    }

    /** The archive directory exists (a catalog rebuild needs no catalog), else exit 2 asking about --root. */
    public RuntimeLayout requireArchiveDir() {
        if (!Files.isDirectory(archiveDir)) {
            throw new ConfigException("archive directory (factory.archive-dir) " + archiveDir
                    + " does not exist: is --root (or factory.archive-dir) right?");
        }
        return this;
    }

    /**
     * The path with every link resolved as far as it exists, the rest appended as given: what two paths
     * really are, to tell whether one lies in the other (a proof/ that is a link to a volume, say).
     */
    public static Path resolved(Path p) throws java.io.IOException {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        return existing == null ? abs : existing.toRealPath().resolve(existing.relativize(abs));
    }

    public static void requireDir(Path dir, String what) {
        if (!Files.isDirectory(dir)) throw new ConfigException(what + " " + dir + " does not exist");
        if (!Files.isReadable(dir)) throw new ConfigException(what + " " + dir + " is not readable");
    }
}
