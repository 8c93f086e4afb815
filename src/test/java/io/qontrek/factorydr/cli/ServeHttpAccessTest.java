package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who can reach serve's HTTP API, with serve in its own JVM: by default it listens on loopback
 * only (as `ss` sees it); another address needs a bearer token, and with one every request
 * without it gets 401. Requests leave the archive directory exactly as they found it.
 */
class ServeHttpAccessTest {
    static final List<String> ENDPOINTS = List.of("/", "/api/mcp/healthz", "/api/mcp/governance", "/api/backups", "/metrics");
    static final String TOKEN = "tok-5f0c9a7e2b414d8c9e11a3b7";

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ServeProcess serve;

    @AfterEach
    void stop() throws Exception {
        if (serve != null) serve.close();
    }

    @Test
    void byDefaultItListensOnLoopbackOnly_andRequestsLeaveTheArchiveDirectoryAsTheyFoundIt(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        Map<String, String> env = quietService(tmp, root);
        Cli.Result full = Cli.run(env, "backup", "full");
        assertThat(full.exit()).as(full.toString()).isZero();
        int port = ServeProcess.freePort();
        env.put("FACTORY_HTTP_PORT", String.valueOf(port));
        serve = ServeProcess.start(env);
        awaitServing(port, null);
        // the control socket is the last thing serve creates in the archive directory at start-up
        await(() -> Files.exists(root.resolve("archive/.control/factory-dr.sock")));

        List<String> listening = listeningAddresses(port);
        assertThat(listening).as("ss -ltn for port %d", port).isNotEmpty()
                .allSatisfy(a -> assertThat(a).isIn("127.0.0.1:" + port, "[::ffff:127.0.0.1]:" + port));
        InetAddress other = nonLoopbackAddress();
        if (other != null) {
            try (Socket s = new Socket()) {
                assertThatThrownBy(() -> s.connect(new InetSocketAddress(other, port), 5000))
                        .as("connect to %s:%d", other.getHostAddress(), port).isInstanceOf(ConnectException.class);
            }
        }

        Path archive = root.resolve("archive");
        Map<String, String> before = snapshot(archive);
        assertThat(before).as("a catalog and a full backup to read").containsKey("catalog.db").hasSizeGreaterThan(3);
        for (int i = 0; i < 3; i++) {
            for (String path : ENDPOINTS) {
                HttpResponse<String> r = get(port, path, null);
                assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            }
        }
        assertThat(get(port, "/api/mcp/healthz", null).body()).contains("\"archive\"", "is writable");
        assertThat(snapshot(archive)).as("every file and directory of the archive directory: size and mtime")
                .isEqualTo(before);
    }

    @Test
    void anotherAddressWithoutATokenIsRefusedAtStartUp(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        Map<String, String> env = quietService(tmp, root);
        env.put("FACTORY_HTTP_PORT", String.valueOf(ServeProcess.freePort()));
        env.put("FACTORY_HTTP_HOST", "0.0.0.0");
        Cli.Result open = Cli.run(env, "serve");
        assertThat(open.exit()).as(open.toString()).isEqualTo(2);
        assertThat(open.err().lines()).as(open.toString()).hasSize(1);
        assertThat(open.err()).contains("factory.http.host=0.0.0.0", "not a loopback address",
                "FACTORY_HTTP_TOKEN or FACTORY_HTTP_TOKEN_FILE");
        assertThat(root.resolve("archive/.locks/serve.lock")).doesNotExist();

        env.put("FACTORY_HTTP_TOKEN", "short-7");
        Cli.Result weak = Cli.run(env, "serve");
        assertThat(weak.exit()).as(weak.toString()).isEqualTo(2);
        assertThat(weak.err().lines()).as(weak.toString()).hasSize(1);
        assertThat(weak.err()).contains("FACTORY_HTTP_TOKEN is too short").doesNotContain("short-7");
    }

    @Test
    void withATokenEveryRequestWithoutItGets401(@TempDir Path tmp) throws Exception {
        Path root = runtime(tmp);
        Map<String, String> env = quietService(tmp, root);
        int port = ServeProcess.freePort();
        Path tokenFile = tmp.resolve("http-token");
        Files.writeString(tokenFile, TOKEN + "\n");
        env.put("FACTORY_HTTP_PORT", String.valueOf(port));
        env.put("FACTORY_HTTP_HOST", "0.0.0.0");
        env.put("FACTORY_HTTP_TOKEN_FILE", tokenFile.toString());
        serve = ServeProcess.start(env);
        awaitServing(port, TOKEN);

        assertThat(listeningAddresses(port)).as("ss -ltn for port %d", port).isNotEmpty()
                .allSatisfy(a -> assertThat(a).isIn("0.0.0.0:" + port, "*:" + port, "[::]:" + port));
        for (String path : ENDPOINTS) {
            assertThat(get(port, path, TOKEN).statusCode()).as(path + " with the token").isEqualTo(200);
            HttpResponse<String> none = get(port, path, null);
            assertThat(none.statusCode()).as(path + " without a header").isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(get(port, path, "tok-5f0c9a7e2b414d8c9e11a3b8").statusCode()).as(path + " with another token").isEqualTo(401);
            assertThat(get(port, path, TOKEN.substring(0, TOKEN.length() - 1)).statusCode()).as(path + " with a prefix").isEqualTo(401);
            assertThat(send(port, path, "Basic " + TOKEN).statusCode()).as(path + " with another scheme").isEqualTo(401);
        }
        // paths no route serves, and Camel's management paths, are behind the token too
        for (String path : List.of("/", "/nothing", "/observe/health")) {
            assertThat(get(port, path, null).statusCode()).as(path).isEqualTo(401);
        }
        InetAddress other = nonLoopbackAddress();
        if (other != null) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + other.getHostAddress() + ":" + port
                    + "/api/mcp/healthz")).header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("over " + other.getHostAddress()).isEqualTo(200);
        }

        String log = Files.readString(tmp.resolve("factory-dr.log"), StandardCharsets.ISO_8859_1);
        assertThat(log).contains("bearer token required");
        assertThat(log + serve.output()).doesNotContain(TOKEN);
    }

    // ---------------------------------------------------------------------------------------------

    private static Path runtime(Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(100).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        return root;
    }

    /** A service on this runtime whose schedules never fire: nothing but the requests can touch the archive. */
    static Map<String, String> quietService(Path tmp, Path root) {
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        env.put("FACTORY_ROOT", root.toString());
        for (String flow : List.of("proof-daily-archive", "alert-archive", "backup-full", "backup-incremental",
                "offsite-catch-up", "retention", "verify-daily", "drill-quarterly")) {
            env.put("FACTORY_SCHEDULE_" + flow.toUpperCase().replace('-', '_') + "_ENABLED", "false");
        }
        env.put("FACTORY_GOVERNANCE_OFFSITE_REQUIRED", "false");
        return env;
    }

    /** Every entry under dir: kind, size and modification time (a file created and deleted changes its directory's). */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                out.put(dir.relativize(p).toString(), (a.isDirectory() ? "dir " : "file " + a.size() + " ") + a.lastModifiedTime());
            }
        }
        return out;
    }

    /** The local addresses `ss -ltn` shows listening on port. */
    static List<String> listeningAddresses(int port) throws Exception {
        Process p = new ProcessBuilder("ss", "-H", "-l", "-t", "-n", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("ss: " + out).isZero();
        return out.lines().filter(l -> !l.isBlank()).map(l -> l.trim().split("\\s+")[3]).toList();
    }

    /** An IPv4 address of this machine that is not loopback, or null when it has none. */
    static InetAddress nonLoopbackAddress() throws IOException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) return a;
            }
        }
        return null;
    }

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        return send(port, path, token == null ? null : "Bearer " + token);
    }

    private HttpResponse<String> send(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).GET();
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }


    /** Until every endpoint answers (any status but 404: routes join the listening server one by one). */
    private void awaitServing(int port, String token) throws Exception {
        await(() -> {
            try {
                for (String path : ENDPOINTS) if (get(port, path, token).statusCode() == 404) return false;
                return true;
            } catch (ConnectException notYet) {
                return false;
            }
        });
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private void await(Condition c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!c.holds()) {
            assertThat(serve.isAlive()).as("serve exited:\n" + serve.output()).isTrue();
            if (System.nanoTime() > deadline) throw new AssertionError("timed out; serve said:\n" + serve.output());
            Thread.sleep(200);
        }
    }
}
