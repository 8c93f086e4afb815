package io.qontrek.factorydr.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real programs (openssl, tar, gzip, sha256sum) the way an operator would, through bash. */
final class Tools {
    private Tools() {}

    record Result(int exit, String stdout, String stderr) {
        Result ok() {
            if (exit != 0) throw new AssertionError("exit " + exit + ": " + stderr);
            return this;
        }
    }

    /** Runs {@code script} with {@code bash -o pipefail -c} in {@code dir}; K holds the archive key. */
    static Result bash(Path dir, Map<String, String> env, String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", "-o", "pipefail", "-c", script)).directory(dir.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("tool", ".out");
        Path err = Files.createTempFile("tool", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + script);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result bash(Path dir, String script) throws IOException, InterruptedException {
        return bash(dir, Map.of(), script);
    }
}
