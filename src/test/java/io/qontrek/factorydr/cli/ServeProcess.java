package io.qontrek.factorydr.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code factory-dr serve} in its own JVM, for the tests that talk to it. Its stdout and
 * stderr are read as it writes them (a full pipe would stall the service) and kept for messages.
 * Closing stops it as an operator would (SIGTERM, a minute to finish), then kills it.
 */
final class ServeProcess implements AutoCloseable {
    private final Process process;
    private final StringBuffer output = new StringBuffer();

    private ServeProcess(Process process) throws IOException {
        this.process = process;
        process.getOutputStream().close(); // serve reads no input
        drain(process.getInputStream(), output);
        drain(process.getErrorStream(), output);
    }

    /** {@code factory-dr serve} with these extra arguments (e.g. --root=...). */
    static ServeProcess start(Map<String, String> env, String... args) throws IOException {
        String[] serve = new String[args.length + 1];
        serve[0] = "serve";
        System.arraycopy(args, 0, serve, 1, args.length);
        return new ServeProcess(Cli.start(env, serve));
    }

    /** A port nothing listens on now, for the service to take. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** What serve has written to stdout and stderr so far. */
    String output() {
        return output.toString();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM, as systemd stops it; whether serve had ended within the seconds given. */
    boolean stop(int seconds) throws InterruptedException {
        process.destroy();
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (!stop(60)) process.destroyForcibly().waitFor();
    }

    /** Reads a child's stream into a buffer until it ends, so the child never blocks on a full pipe. */
    static void drain(InputStream in, StringBuffer into) {
        Thread t = new Thread(() -> {
            try {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
