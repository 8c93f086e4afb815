package io.qontrek.factorydr.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run behind bin/factory-dr's class-data sharing archive: the launcher runs this once
 * per jar and JVM with {@code -XX:ArchiveClassesAtExit}, so the classes the everyday commands load
 * (Camel, the YAML DSL, log4j, SQLite, our mechanisms) are then mapped from that archive instead
 * of being read from the jar, parsed and verified on every start.
 *
 * <p>It runs the commands, in this JVM, on a small sample runtime in a temporary directory, with
 * its own configuration file and an environment of its own (throwaway secrets, no FACTORY_*
 * variables), so nothing of the operator's runtime, configuration or S3 bucket is touched. It
 * prints nothing of use; the exit status says whether every command did what it should.
 */
public final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        System.exit(train() == 0 ? 0 : 1);
    }

    /** Runs the training commands; returns how many failed (each says so on stderr). */
    static int train() throws IOException {
        Path tmp = Files.createTempDirectory("factory-dr-cds-");
        int failures = 0;
        try {
            Path config = Files.writeString(tmp.resolve("training.properties"), "factory.s3.enabled=false\n");
            Path root = tmp.resolve("runtime");
            Path restored = tmp.resolve("restored");
            Path signingKey = tmp.resolve("signing-key.pem");
            Map<String, String> env = new HashMap<>();
            env.put("ARCHIVE_ENCRYPTION_KEY", "cds-training-archive-key");
            env.put("FACTORY_SIGNING_SECRET", "cds-training-signing-secret");
            env.put("TOWER_SIGNING_SECRET", "cds-training-tower-secret");
            env.put("FACTORY_SIGNING_KEY_FILE", signingKey.toString()); // a throwaway key: every backup signs with one
            env.put("FACTORY_LOG_FILE", tmp.resolve("training.log").toString());
            String[] common = {"--config=" + config, "--root=" + root};
            failures += run(env, common, "keys", "init", "--file=" + signingKey);
            failures += run(env, common, "sample-runtime", root.toString(), "--proofs=60", "--days=3", "--ledger=300", "--log-mb=1");
            failures += run(env, common, "backup", "full");
            failures += run(env, common, "backup", "incremental");
            failures += run(env, common, "backup", "proofs");
            failures += run(env, common, "list");
            Path full;
            try (Stream<Path> s = Files.list(root.resolve("archive/full"))) {
                full = s.filter(p -> p.getFileName().toString().endsWith(".tar.gz.enc")).findFirst().orElseThrow();
            } catch (IOException | RuntimeException e) {
                System.err.println("cds training: no full backup to train the rest on: " + e);
                return failures + 1;
            }
            failures += run(env, common, "verify", "archive", full.toString());
            failures += run(env, common, "verify", "backup");
            failures += run(env, common, "verify", "proofs");
            failures += run(env, common, "verify", "receipts");
            failures += run(env, common, "verify", "digests");
            failures += run(env, common, "verify", "federation");
            failures += run(env, common, "restore", "--archive=" + full, "--target=" + restored, "--verify");
            failures += run(env, common, "restore", "--date=latest", "--verify", "--dry-run");
        } finally {
            delete(tmp);
        }
        return failures;
    }

    private static int run(Map<String, String> env, String[] common, String... command) {
        List<String> args = new java.util.ArrayList<>(List.of(command));
        args.addAll(List.of(common));
        int status = FactoryDr.run(args.toArray(String[]::new), env);
        if (status != FactoryDr.OK) {
            System.err.println("cds training: factory-dr " + String.join(" ", command) + " exited " + status);
            return 1;
        }
        return 0;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
