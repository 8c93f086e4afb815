package io.qontrek.factorydr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.steps.FlowBeans;
import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Settings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line's way into a running service. {@code serve} listens on a Unix socket in a
 * directory only its user can enter ({@code factory.control-socket}, by default
 * {@code <archive-dir>/.control/factory-dr.sock}); {@code factory-dr backup ...} finds it there and
 * asks the service to run the flow instead of starting one of its own. Two reasons: a manual backup
 * then never overlaps the service's scheduled run of the same flow (the service's {@code FlowGuard}
 * sees both, where two processes would each see only their own), and it runs in a JVM that is
 * already up and compiled, so it costs what changed rather than a JVM, log4j and Camel start-up.
 *
 * <p>One request per connection, one JSON line each way, plus progress lines while the flow runs:
 * <pre>
 *   -> {"flow": "backup-incremental", "date": null}
 *   <- {"progress": {"files": 120, "bytes": 52000}}            (at most five a second)
 *   <- {"outcome": "written", "archive": "/archive/incremental/....tar.gz.enc", "started": ..., "finished": ...}
 *      {"outcome": "nothing-to-do", "backup_id": ..., "base": ...}
 *      {"outcome": "failed", "exit": 1, "message": "..."}
 * </pre>
 * Only the backup flows are served: they are what the service also schedules, and none of them
 * removes or replaces anything.
 */
final class ServiceControl implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> FLOWS = Set.of("backup-full", "backup-incremental", "proof-daily-archive", "alert-archive");
    private static final long PROGRESS_EVERY_MILLIS = 200;

    private final Path socket;
    private final ServerSocketChannel server;
    private final CamelContext context;
    private final Thread acceptor;

    /** The service's logger; not a static field, so that a command that only asks never starts log4j. */
    private static Logger log() {
        return LoggerFactory.getLogger(ServiceControl.class);
    }

    /** What the service answered (its last line): how the command ends. */
    record Reply(JsonNode body) {
        String outcome() {
            return body.path("outcome").asText();
        }

        long servicePid() {
            return body.path("service_pid").asLong(-1);
        }
    }

    private ServiceControl(Path socket, ServerSocketChannel server, CamelContext context) {
        this.socket = socket;
        this.server = server;
        this.context = context;
        this.acceptor = new Thread(this::accept, "control-socket");
        this.acceptor.setDaemon(true);
    }

    /** Where the service listens for these settings. */
    static Path socketPath(Settings settings) {
        String configured = settings.get("factory.control-socket", "");
        return configured.isBlank()
                ? RuntimeLayout.of(settings).controlDir().resolve("factory-dr.sock")
                : Path.of(configured).toAbsolutePath().normalize();
    }

    // --- the service's side -----------------------------------------------------------------------

    /**
     * Listens at {@code socket} for the flows of {@code context} ({@code ServeCommand} holds the
     * service's lock on its archive directory, so no other service of it is listening). Its own
     * directory, {@code controlDir}, is made owner-only; a directory named in
     * {@code factory.control-socket} is left as it is and the socket itself is made owner-only.
     * Returns null, with a warning, when no socket can be made there (a path longer than a Unix
     * socket allows, a file system without sockets, another service answering there): commands then
     * run in their own process, as they do with no service.
     */
    static ServiceControl open(Path socket, Path controlDir, CamelContext context) {
        if (answers(socket)) {
            log().warn("another factory-dr service answers at {} (factory.control-socket): not listening there", socket);
            return null;
        }
        try {
            Path dir = socket.getParent();
            boolean ours = dir.equals(controlDir) || !Files.exists(dir);
            Files.createDirectories(dir);
            if (ours) Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Files.deleteIfExists(socket);   // left by a service that is gone: it did not answer
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(socket));
                if (!ours) Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
            ServiceControl control = new ServiceControl(socket, server, context);
            control.acceptor.start();
            log().info("control socket {}: 'factory-dr backup ...' on this host runs its flow in this service", socket);
            return control;
        } catch (IOException | RuntimeException e) {
            log().warn("no control socket at {} ({}): 'factory-dr backup ...' will run in its own process", socket, e.toString());
            return null;
        }
    }

    /**
     * Fails when a service already answers at {@code socket}: one of another archive directory, given
     * the same factory.control-socket (one of this archive directory is stopped by the service's lock).
     */
    static void requireNoOtherService(Path socket) {
        if (answers(socket)) {
            throw new ConfigException("another factory-dr service answers at " + socket
                    + ": give each service its own factory.control-socket");
        }
    }

    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) return false;
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread t = new Thread(() -> serve(client), "control-request");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (server.isOpen()) log().warn("control socket {}: {}", socket, e.toString());
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client; PrintStream out = new PrintStream(Channels.newOutputStream(client), true, StandardCharsets.UTF_8)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) return;
            ObjectNode reply;
            try {
                reply = run(JSON.readTree(line), out);
            } catch (Exception e) {
                reply = failed(FactoryDr.USAGE, "the service refused the request: " + FactoryDr.describe(e));
            }
            out.println(JSON.writeValueAsString(reply));
        } catch (IOException e) {
            log().warn("control socket {}: the command went away before its answer ({})", socket, e.toString());
        }
    }

    private ObjectNode run(JsonNode request, PrintStream out) throws Exception {
        String flow = request.path("flow").asText("");
        if (!FLOWS.contains(flow)) throw new IllegalArgumentException("'" + flow + "' is not a flow this socket runs " + FLOWS);
        String date = request.path("date").isTextual() ? java.time.LocalDate.parse(request.get("date").asText()).toString() : null;
        log().info("{}: run for a command on the control socket", flow);
        // The flow runs on Camel's thread and only leaves its progress here; this thread sends it on.
        // A command that stops reading then blocks this thread alone, never the flow and its lock.
        AtomicReference<long[]> latest = new AtomicReference<>();
        Exchange ex;
        try (ProducerTemplate t = context.createProducerTemplate()) {
            CompletableFuture<Exchange> done = t.asyncSend("direct:" + flow, e -> {
                if (date != null) e.getIn().setHeader(FlowBeans.DATE, date);
                e.setProperty(Flows.PROGRESS, (ProgressListener) (files, bytes) -> latest.set(new long[] {files, bytes}));
            });
            while (true) {
                try {
                    ex = done.get(PROGRESS_EVERY_MILLIS, TimeUnit.MILLISECONDS);
                    break;
                } catch (java.util.concurrent.ExecutionException failed) {
                    FactoryDr.Failure f = FactoryDr.failure(failed.getCause(), BackupCommand.commandOf(flow));
                    return failed(f.status(), f.message());
                } catch (TimeoutException stillRunning) {
                    long[] p = latest.getAndSet(null);
                    if (p != null) {
                        ObjectNode line = JSON.createObjectNode();
                        line.putObject("progress").put("files", p[0]).put("bytes", p[1]);
                        out.println(line);   // a command that went away only stops hearing of it
                    }
                }
            }
        }
        if (ex.getException() != null) {
            FactoryDr.Failure f = FactoryDr.failure(ex.getException(), BackupCommand.commandOf(flow));
            return failed(f.status(), f.message());
        }
        Object body = ex.getMessage().getBody();
        ObjectNode reply = JSON.createObjectNode();
        if (body instanceof StoredArchive a) {
            reply.put("outcome", "written");
            reply.put("archive", a.file().toAbsolutePath().toString());
            reply.put("started", a.started().toString());
            reply.put("finished", a.finished().toString());
        } else if (body instanceof BackupSet set) {
            reply.put("outcome", "nothing-to-do");
            reply.put("backup_id", set.backupId());
            reply.put("base", set.base());
        } else {
            reply.put("outcome", "done");
        }
        reply.put("service_pid", ProcessHandle.current().pid());
        return reply;
    }

    private static ObjectNode failed(int status, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("outcome", "failed");
        o.put("exit", status);
        o.put("message", message);
        o.put("service_pid", ProcessHandle.current().pid());
        return o;
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log().warn("control socket {}: {}", socket, e.toString());
        }
    }

    // --- the command's side -----------------------------------------------------------------------

    /**
     * Asks the service listening at {@code socket} to run {@code flow}, passing its progress on, and
     * returns its answer; null when no service listens there (no socket, or one left by a service
     * that is gone), in which case the command runs the flow itself.
     */
    static Reply ask(Path socket, String flow, String date, ProgressListener progress) throws IOException {
        if (!Files.exists(socket)) return null;
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        try (ch) {
            ObjectNode request = JSON.createObjectNode();
            request.put("flow", flow);
            request.put("date", date);
            OutputStream os = Channels.newOutputStream(ch);
            os.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
            os.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                JsonNode node = JSON.readTree(line);
                if (node.has("progress")) {
                    progress.progress(node.get("progress").path("files").asLong(), node.get("progress").path("bytes").asLong());
                } else {
                    return new Reply(node);
                }
            }
        }
        throw new IOException("the service at " + socket + " closed the connection without an answer (did it stop?)");
    }

    /** The archive a "written" answer names, read back from its signed manifest as the command prints it. */
    static StoredArchive written(Reply reply) throws IOException {
        Path archive = Path.of(reply.body().path("archive").asText());
        return new StoredArchive(archive, io.qontrek.factorydr.archive.Sidecars.readManifest(archive),
                Instant.parse(reply.body().path("started").asText()), Instant.parse(reply.body().path("finished").asText()));
    }
}
