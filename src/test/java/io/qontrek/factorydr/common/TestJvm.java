package io.qontrek.factorydr.common;

import io.qontrek.factorydr.backup.WorkDir;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The command line of a child JVM in the tests (a CLI run as the operator runs it, a service, a
 * small-heap check), started as the launcher starts factory-dr: with class-data sharing.
 *
 * <p>A child spends about a second of CPU reading, parsing and verifying Camel's classes and ours
 * before it does anything, and the suite starts about a hundred of them. The JDK maps classes from
 * an archive only out of jars, so the build's class directories are copied into jars beside them
 * (target/test-jvm.*.jar: the installation is still the directory above target/, config/Installation),
 * once per content of those directories, and one training run in the background
 * ({@code io.qontrek.factorydr.cli.CdsTraining}, as the launcher's) writes the archive. Until it is
 * there, and if it cannot be made, children run without it: the archive only ever saves time, and
 * the JVM's complaints about one are kept off the children's output. Two test JVMs share the files
 * under a file lock.
 */
public final class TestJvm {
    private static final String TRAINING = "io.qontrek.factorydr.cli.CdsTraining";
    private static Layout layout;
    private static boolean trainingStarted;
    /** Set as this JVM ends: a training it stops did not fail. */
    private static volatile boolean ending;

    private TestJvm() {}

    /** java, the options, class-data sharing once its archive is made, the class path, then the main class. */
    public static List<String> command(List<String> options, String mainClass) {
        Layout l = layout();
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(options);
        if (l.archive != null && Files.isRegularFile(l.archive)) {
            command.addAll(List.of("-XX:SharedArchiveFile=" + l.archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        command.addAll(List.of("-cp", l.classPath, mainClass));
        return command;
    }

    /** The test class path, with the build's class directories as jars where they could be made. */
    public static String classPath() {
        return layout().classPath;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private record Layout(String classPath, Path archive) {}

    private static synchronized Layout layout() {
        if (layout == null) layout = prepare();
        if (layout.archive != null && !trainingStarted) {
            trainingStarted = true;
            Thread t = new Thread(() -> train(layout), "cds-training");
            t.setDaemon(true);
            t.start();
        }
        return layout;
    }

    private static Layout prepare() {
        String surefire = System.getProperty("surefire.test.class.path");
        String original = surefire == null || surefire.isBlank() ? System.getProperty("java.class.path") : surefire;
        List<Path> entries = Stream.of(original.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
        List<Path> dirs = entries.stream().filter(Files::isDirectory).toList();
        Path target = dirs.isEmpty() ? null : dirs.get(0).toAbsolutePath().getParent();
        if (target == null || !target.getFileName().toString().equals("target")
                || dirs.stream().anyMatch(d -> !target.equals(d.toAbsolutePath().getParent()))) {
            return new Layout(original, null); // not a Maven build tree: as it is, without an archive
        }
        try (FileChannel lockFile = FileChannel.open(target.resolve("test-jvm.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            String key = key(entries);
            Path keyFile = target.resolve("test-jvm.key");
            List<String> path = new ArrayList<>();
            boolean fresh = Files.isRegularFile(keyFile) && Files.readString(keyFile).equals(key)
                    && dirs.stream().allMatch(d -> Files.isRegularFile(jarOf(target, d)));
            if (!fresh) {
                Files.deleteIfExists(keyFile);
                try (Stream<Path> s = Files.list(target)) {
                    for (Path old : s.filter(p -> p.getFileName().toString().matches("test-jvm\\.[0-9a-f]+\\.(jsa|failed|\\d+\\.tmp)")).toList()) {
                        Files.deleteIfExists(old);
                    }
                }
            }
            for (Path entry : entries) {
                if (!Files.isDirectory(entry)) {
                    path.add(entry.toString());
                    continue;
                }
                Path jar = jarOf(target, entry);
                if (!fresh) jar(entry, jar);
                path.add(jar.toString());
            }
            if (!fresh) Files.writeString(keyFile, key);
            // named by what it was made from: an archive trained for other jars is never taken for these
            String name = "test-jvm." + Integer.toHexString(key.hashCode());
            return new Layout(String.join(File.pathSeparator, path), target.resolve(name + ".jsa"));
        } catch (IOException | RuntimeException e) {
            System.err.println("test-jvm: children run from the class directories, without class-data sharing: " + e);
            return new Layout(original, null);
        }
    }

    private static Path jarOf(Path target, Path dir) {
        return target.resolve("test-jvm." + dir.getFileName() + ".jar");
    }

    /** What the jars and the archive were made from: every entry's files, sizes and times, and the JVM. */
    private static String key(List<Path> entries) throws IOException {
        StringBuilder key = new StringBuilder(System.getProperty("java.home")).append(' ').append(System.getProperty("java.vm.version")).append('\n');
        for (Path entry : entries) {
            long[] sum = new long[3];
            if (Files.isDirectory(entry)) {
                try (Stream<Path> s = Files.walk(entry)) {
                    s.filter(Files::isRegularFile).forEach(p -> {
                        try {
                            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                            sum[0]++;
                            sum[1] += a.size();
                            sum[2] = Math.max(sum[2], a.lastModifiedTime().toMillis());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            } else if (Files.isRegularFile(entry)) {
                sum[0] = 1;
                sum[1] = Files.size(entry);
                sum[2] = Files.getLastModifiedTime(entry).toMillis();
            }
            key.append(entry).append(' ').append(sum[0]).append(' ').append(sum[1]).append(' ').append(sum[2]).append('\n');
        }
        return key.toString();
    }

    /** The directory's files as a jar, stored uncompressed (nothing to inflate at class loading); written aside, then renamed. */
    private static void jar(Path dir, Path jar) throws IOException {
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> !p.equals(dir)).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jarOut = new JarOutputStream(out)) {
            for (Path file : files) {
                String name = dir.relativize(file).toString().replace(File.separatorChar, '/');
                if (Files.isDirectory(file)) { // as the build's jar has them: getResource("routes/") finds one
                    JarEntry d = new JarEntry(name + "/");
                    d.setMethod(JarEntry.STORED);
                    d.setSize(0);
                    d.setCompressedSize(0);
                    d.setCrc(0);
                    jarOut.putNextEntry(d);
                    jarOut.closeEntry();
                    continue;
                }
                byte[] bytes = Files.readAllBytes(file);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                JarEntry e = new JarEntry(name);
                e.setMethod(JarEntry.STORED);
                e.setSize(bytes.length);
                e.setCompressedSize(bytes.length);
                e.setCrc(crc.getValue());
                e.setTime(Files.getLastModifiedTime(file).toMillis());
                jarOut.putNextEntry(e);
                jarOut.write(bytes);
                jarOut.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The training run, once for these jars: whichever test JVM takes the lock makes the archive, the
     * other goes on without. A training that failed is not tried again for the same jars (a .failed
     * mark, as the launcher's); one cut short by the end of this JVM is stopped with it, and leaves nothing.
     */
    private static void train(Layout l) {
        String base = l.archive.getFileName().toString().replaceFirst("\\.jsa$", "");
        Path failed = l.archive.resolveSibling(base + ".failed");
        Path tmp = l.archive.resolveSibling(base + "." + ProcessHandle.current().pid() + ".tmp");
        Path work = null;
        Process p = null;
        Thread stop = null;
        try (FileChannel lockFile = FileChannel.open(l.archive.resolveSibling("test-jvm.training.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
            if (lock == null || Files.isRegularFile(l.archive) || Files.exists(failed)) return;
            work = Files.createTempDirectory("test-jvm-training-");
            List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-XX:ArchiveClassesAtExit=" + tmp, "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-Djava.io.tmpdir=" + work,
                    "-cp", l.classPath, TRAINING));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("training.log").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("FACTORY_") || k.endsWith("_SECRET") || k.startsWith("ARCHIVE_"));
            Process training = pb.start();
            p = training;
            Path scratch = work;
            stop = new Thread(() -> {
                ending = true;
                training.destroyForcibly();
                try {
                    training.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                WorkDir.delete(scratch);
                tmp.toFile().delete();
            }, "cds-training-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            // a training command that fails only means fewer classes in the archive: it is kept whenever written
            boolean ended = training.waitFor(5, TimeUnit.MINUTES);
            if (ending) return;
            if (ended && Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
                Files.move(tmp, l.archive, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.writeString(failed, ended ? "no archive written\n" : "timed out\n");
                System.err.println("test-jvm: no class-data archive made (" + (ended ? "none written" : "timed out")
                        + "); children run without; the training's output: " + Files.readString(work.resolve("training.log")));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("test-jvm: no class-data archive: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (p != null) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (stop != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stop);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it stops the training and deletes what it left
                }
            }
            WorkDir.delete(work);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing to clean
            }
        }
    }
}
