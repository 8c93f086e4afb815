package io.qontrek.factorydr.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Where each ping goes, and what a fail ping carries: one line, no secret. HeartbeatEndToEndTest runs real flows. */
class HeartbeatTest {
    @Test
    void eachSignalGoesBeforeTheQuery_andAFailCarriesItsReasonOnOneLineWithoutSecrets() throws Exception {
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            got.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " ["
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) + "]");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        try {
            Heartbeat hb = new Heartbeat("http://127.0.0.1:" + receiver.getAddress().getPort() + "/k3y/{flow}?create=1",
                    Duration.ofSeconds(5), List.of("s3cr3t-value".getBytes(StandardCharsets.UTF_8)));
            hb.started("backup-full");
            hb.succeeded("backup-full");
            hb.failed("verify-proofs", "key s3cr3t-value refused\n   seq 7 missing\r\n");
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("POST /k3y/backup-full/start?create=1 text/plain; charset=utf-8 []");
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("POST /k3y/backup-full?create=1 text/plain; charset=utf-8 []");
            assertThat(got.poll(10, TimeUnit.SECONDS))
                    .isEqualTo("POST /k3y/verify-proofs/fail?create=1 text/plain; charset=utf-8 [key [redacted] refused seq 7 missing]");
        } finally {
            receiver.stop(0);
        }
    }
}
