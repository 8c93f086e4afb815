package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.common.TestJvm;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs factory-dr's command line: in this JVM ({@link #run}), or as the operator does, a separate JVM
 * with its own environment, exit status, stdout and stderr ({@link #runAsOperator}, {@link #start}).
 * Also runs the stock tools (openssl, tar, sha256sum, sqlite3).
 */
final class Cli {
    static final String ARCHIVE_KEY = "archive-pass phrase 7f3c";
    static final String SIGNING_SECRET = "factory-signing 91ab";
    static final String TOWER_SECRET = "tower-signing 55de";

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {}

    /** The environment of a well-configured operator shell: secrets set, log file in logDir. */
    static Map<String, String> env(Path logDir) {
        Map<String, String> env = new HashMap<>();
        env.put("ARCHIVE_ENCRYPTION_KEY", ARCHIVE_KEY);
        env.put("FACTORY_SIGNING_SECRET", SIGNING_SECRET);
        env.put("TOWER_SIGNING_SECRET", TOWER_SECRET);
        env.put("FACTORY_SIGNING_KEY_FILE", io.qontrek.factorydr.signing.TestSigningKey.file().toString());
        env.put("FACTORY_LOG_FILE", logDir.resolve("factory-dr.log").toString());
        // a test runtime is far under the runbook's 1 MB floor for a full backup: every full would trip it
        // (ShrinkCheckTest judges the floor, both ways)
        env.put("FACTORY_BACKUP_TRIPWIRE_MIN_ARCHIVE_BYTES", "0");
        return env;
    }

    static Process start(Map<String, String> env, String... args) throws IOException {
        return start(0, env, args);
    }

    /**
     * As root without the capabilities that let root read any file (CAP_DAC_OVERRIDE,
     * CAP_DAC_READ_SEARCH): a file with mode 000 is then unreadable, as for any operator.
     */
    static Result runWithoutReadOverride(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-dac_override,-dac_read_search"));
        cmd.addAll(factoryDr("512m"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile());
        pb.environment().putAll(env);
        return finish(pb.start(), 300);
    }

    /** Under {@code umask} (e.g. "000"): what the process creates gets only the modes it asks for explicitly. */
    static Result runUnderUmask(String umask, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "umask " + umask + " && exec \"$@\"", "umasked"));
        cmd.addAll(factoryDr("512m"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FACTORY_") || k.endsWith("_SECRET") || k.startsWith("ARCHIVE_"));
        pb.environment().putAll(env);
        return finish(pb.start(), 300);
    }

    /** With fileSizeLimitKb > 0 the JVM runs under `ulimit -f`: a write past it fails as on a full disk. */
    static Process start(long fileSizeLimitKb, Map<String, String> env, String... args) throws IOException {
        return start(fileSizeLimitKb, "512m", env, args);
    }

    /**
     * In a JVM of the given heap, e.g. the launcher's default, with both compilers, as the launcher
     * runs its long commands (a backup full, a restore, a verify): for the runs at scale.
     */
    static Result runWithHeap(String heap, Map<String, String> env, String... args) throws Exception {
        List<String> bothCompilers = factoryDr(heap);
        bothCompilers.remove(QUICK_COMPILER_ONLY);
        return finish(start(0, bothCompilers, Path.of("").toAbsolutePath(), env, args), 900);
    }

    /** From another working directory (the JVM finds its installation all the same: Installation). */
    static Result runIn(Path workingDir, Map<String, String> env, String... args) throws Exception {
        return finish(start(0, "512m", workingDir, env, args), 300);
    }

    private static Process start(long fileSizeLimitKb, String heap, Map<String, String> env, String... args) throws IOException {
        return start(fileSizeLimitKb, heap, Path.of("").toAbsolutePath(), env, args);
    }

    private static Process start(long fileSizeLimitKb, String heap, Path workingDir, Map<String, String> env, String... args)
            throws IOException {
        return start(fileSizeLimitKb, factoryDr(heap), workingDir, env, args);
    }

    private static Process start(long fileSizeLimitKb, List<String> jvm, Path workingDir, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(jvm);
        cmd.addAll(List.of(args));
        if (fileSizeLimitKb > 0) {
            List<String> limited = new ArrayList<>(List.of("bash", "-c", "ulimit -f " + fileSizeLimitKb + " && exec \"$@\"", "limited"));
            limited.addAll(cmd);
            cmd = limited;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workingDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FACTORY_") || k.endsWith("_SECRET") || k.startsWith("ARCHIVE_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * One command line, in this JVM: {@link FactoryDr#run} with the same environment a child would get,
     * stdout and stderr captured and the log in the env's FACTORY_LOG_FILE. It is the command line the
     * operator types, parsed and run by the same code, without the 2 to 3 s of CPU a new JVM costs.
     * `serve`, and an environment this JVM cannot give (JAVA_TOOL_OPTIONS, PATH, TZ, the AWS SDK's own
     * variables), run in a child, as {@link #runAsOperator} does. A command that leaves a thread running fails the test:
     * a real process would have ended it, and in the service it would be a leak.
     */
    static Result run(Map<String, String> env, String... args) throws Exception {
        // the service runs until stopped, and holds its socket, locks and ports: always a process of its own
        if (!inProcess(env) || List.of(args).contains("serve")) return runAsOperator(env, args);
        Map<String, String> full = childEnvironment(env);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        synchronized (Cli.class) {
            logTo(full.get("FACTORY_LOG_FILE"));
            Map<String, String> aws = awsProperties(full);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                exit = FactoryDr.run(args, full);
            } finally {
                System.out.flush();
                System.err.flush();
                System.setOut(stdout);
                System.setErr(stderr);
                restore(aws);
            }
        }
        List<String> left = threadsLeft(before);
        if (!left.isEmpty()) throw new AssertionError("factory-dr " + String.join(" ", args) + " left threads running: " + left);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** As the operator runs it: a JVM of its own, its exit status, stdout and stderr. */
    static Result runAsOperator(Map<String, String> env, String... args) throws Exception {
        return finish(start(env, args), 300);
    }

    /**
     * The AWS SDK reads its credentials and region from the process environment, which this JVM cannot
     * change, or first from these system properties, which it can: set for the run as the env gives them
     * (cleared where it gives none, as a child would have none), put back afterwards.
     */
    private static final Map<String, String> AWS = Map.of("AWS_ACCESS_KEY_ID", "aws.accessKeyId",
            "AWS_SECRET_ACCESS_KEY", "aws.secretAccessKey", "AWS_SESSION_TOKEN", "aws.sessionToken", "AWS_REGION", "aws.region");

    private static Map<String, String> awsProperties(Map<String, String> env) {
        Map<String, String> before = new HashMap<>();
        AWS.forEach((variable, property) -> {
            before.put(property, System.getProperty(property));
            String value = env.get(variable);
            if (value == null) System.clearProperty(property);
            else System.setProperty(property, value);
        });
        return before;
    }

    private static void restore(Map<String, String> properties) {
        properties.forEach((k, v) -> {
            if (v == null) System.clearProperty(k);
            else System.setProperty(k, v);
        });
    }

    /** Whether every variable that differs from this JVM's is one factory-dr reads from its env map (or the SDK from AWS). */
    private static boolean inProcess(Map<String, String> env) {
        for (var e : env.entrySet()) {
            String k = e.getKey();
            boolean ours = k.startsWith("FACTORY_") || k.startsWith("ARCHIVE_") || k.endsWith("_SIGNING_SECRET") || AWS.containsKey(k);
            if (!ours && !e.getValue().equals(System.getenv(k))) return false;
        }
        return true;
    }

    private static Map<String, String> childEnvironment(Map<String, String> env) {
        Map<String, String> full = new HashMap<>(System.getenv());
        full.keySet().removeIf(k -> k.startsWith("FACTORY_") || k.endsWith("_SECRET") || k.startsWith("ARCHIVE_"));
        full.putAll(env);
        return full;
    }

    private static String loggingTo = "";

    /** Points log4j at the run's log file, as a child JVM would start with it (var/log/ when unset). */
    private static void logTo(String file) {
        String target = file == null || file.isBlank() ? "" : file;
        if (target.equals(loggingTo)) return;
        if (target.isEmpty()) System.clearProperty("factorydr.log.file");
        else System.setProperty("factorydr.log.file", target);
        ((org.apache.logging.log4j.core.LoggerContext) org.apache.logging.log4j.LogManager.getContext(false)).reconfigure();
        loggingTo = target;
    }

    /** Non-daemon threads started during the run and still alive after a grace second. */
    private static List<String> threadsLeft(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + 1_000_000_000L;
        List<String> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (before.contains(t) || t.isDaemon()) continue;
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) left.add(t.getName());
        }
        return left;
    }

    static Result finish(Process p, int timeoutSeconds) throws Exception {
        var out = p.getInputStream();
        var err = p.getErrorStream();
        var errText = new java.util.concurrent.CompletableFuture<String>();
        Thread t = new Thread(() -> {
            try {
                errText.complete(new String(err.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                errText.complete("");
            }
        });
        t.start();
        String outText = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), outText, errText.get(60, TimeUnit.SECONDS));
    }

    /** A stock tool through bash, e.g. "openssl enc -d ... | tar -tzf -". */
    static Result sh(Path dir, Map<String, String> env, String script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-o", "pipefail", "-c", script).directory(dir.toFile());
        pb.environment().putAll(env);
        return finish(pb.start(), 300);
    }

    /**
     * A factory-dr JVM as bin/factory-dr starts one: the serial collector on this heap, and (as it does for
     * its short commands) the quick compiler only. A test's command is short: with C2 as well, four of
     * the CLI test classes took 100 s of CPU, with C1 alone 59 s.
     */
    private static List<String> factoryDr(String heap) {
        return new ArrayList<>(TestJvm.command(List.of("-Xmx" + heap, "-XX:+UseSerialGC", QUICK_COMPILER_ONLY,
                "-XX:+ExitOnOutOfMemoryError"), FactoryDr.class.getName()));
    }

    private static final String QUICK_COMPILER_ONLY = "-XX:TieredStopAtLevel=1";

    static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    }

    static String pathSep() {
        return File.pathSeparator;
    }
}
