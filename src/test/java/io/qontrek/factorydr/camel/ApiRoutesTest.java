package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * routes/api.camel.yaml in process on a real platform-http server (as serve starts it), over a
 * runtime with a real full backup: each endpoint answers GET from what the flows recorded (the
 * backups list is the catalog's, the metrics count the archive), and refuses any other method.
 */
class ApiRoutesTest extends RouteFileTestSupport {
    int port;
    final HttpClient http = HttpClient.newHttpClient();

    @Override
    List<String> routeFiles() {
        return List.of("api.camel.yaml", "backup.camel.yaml", "archive.camel.yaml");
    }

    @Override
    Map<String, String> moreSettings() {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        String p = String.valueOf(port);
        return Map.of("factory.serve", "true", "factory.http.port", p, "camel.server.enabled", "true", "camel.server.port", p,
                "camel.server.host", "127.0.0.1", "camel.management.port", p, "camel.management.host", "127.0.0.1");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyEndpointAnswersFromWhatTheFlowsRecorded() throws Exception {
        fullBackup();
        String name = archives().get(0);

        HttpResponse<String> backups = get("/api/backups");
        assertThat(backups.statusCode()).isEqualTo(200);
        JsonNode list = new ObjectMapper().readTree(backups.body());
        assertThat(list.toString()).contains(name);
        assertThat(catalog().archives()).hasSize(1);

        HttpResponse<String> health = get("/api/mcp/healthz");
        assertThat(health.statusCode()).as(health.body()).isIn(200, 503);
        assertThat(new ObjectMapper().readTree(health.body()).has("status")).isTrue();

        HttpResponse<String> governance = get("/api/mcp/governance");
        assertThat(governance.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(governance.body()).has("pass")).isTrue();

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE");

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<html").contains(name.substring(name.lastIndexOf('/') + 1, name.indexOf('.')));

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/backups"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isGreaterThanOrEqualTo(400);
    }
}
