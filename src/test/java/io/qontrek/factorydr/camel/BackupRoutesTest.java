package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/**
 * routes/backup.camel.yaml with archive.camel.yaml, errors.camel.yaml and heartbeat.camel.yaml, in
 * process: a full goes through archive-store, is recorded and pings start and success; an incremental
 * with nothing new records nothing-to-do and stores nothing; a step that fails (AdviceWith puts a full
 * disk before signManifest) fails the run once: one failed run, one alert, one fail ping, no archive and
 * no staging left.
 */
class BackupRoutesTest extends RouteFileTestSupport {
    HttpServer receiver;
    final LinkedBlockingQueue<String> pings = new LinkedBlockingQueue<>();

    @Override
    List<String> routeFiles() {
        return List.of("backup.camel.yaml", "archive.camel.yaml");
    }

    @Override
    Map<String, String> moreSettings() {
        try {
            receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        receiver.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            pings.add(ex.getRequestURI().getPath() + (body.isEmpty() ? "" : " " + body));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        return Map.of("factory.notify.heartbeat-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/ping/{flow}");
    }

    @Override
    protected void doPostTearDown() throws Exception {
        if (receiver != null) receiver.stop(0);
        super.doPostTearDown();
    }

    private String nextPing() throws InterruptedException {
        String p = pings.poll(10, TimeUnit.SECONDS);
        assertThat(p).as("a heartbeat ping").isNotNull();
        return p;
    }

    private List<String> staging() throws IOException {
        // archive/.work/<pid>/<work>: this process's own directory stays while it lives, its work goes
        Path work = layout().archiveDir().resolve(".work");
        if (!Files.isDirectory(work)) return List.of();
        try (Stream<Path> s = Files.walk(work, 2)) {
            return s.filter(p -> work.relativize(p).getNameCount() == 2).map(p -> work.relativize(p).toString()).toList();
        }
    }

    @Test
    void aFullGoesThroughArchiveStoreIsRecordedAndPings() throws Exception {
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("backup-full").wereSentTo("direct:archive-store").whenCompleted(1).create();
        Exchange ex = send("backup-full", Map.of());
        assertThat(ex.getException()).isNull();
        assertThat(stored.matches(30, TimeUnit.SECONDS)).isTrue();
        StoredArchive archive = ex.getMessage().getBody(StoredArchive.class);
        assertThat(archive).isNotNull();
        assertThat(archives()).containsExactly(layout().archiveDir().relativize(archive.file()).toString());
        assertThat(catalog().runs("backup-full")).extracting(Catalog.RunRow::outcome).containsExactly("ok");
        assertThat(nextPing()).isEqualTo("/ping/backup-full/start");
        assertThat(nextPing()).isEqualTo("/ping/backup-full");
        assertThat(alertLines()).isEmpty();
        assertThat(staging()).isEmpty();
    }

    @Test
    void anIncrementalWithNothingNewStoresNothing() throws Exception {
        fullBackup();
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("backup-incremental").wereSentTo("direct:archive-store").whenDone(1).create();
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("backup-incremental").whenCompleted(1).create();
        Exchange ex = send("backup-incremental", Map.of());
        assertThat(ex.getException()).isNull();
        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(stored.matches(0, TimeUnit.SECONDS)).as("sent to archive-store").isFalse(); // the send above is synchronous
        assertThat(catalog().runs("backup-incremental")).extracting(Catalog.RunRow::outcome).containsExactly("nothing-to-do");
        assertThat(archives()).hasSize(1);
    }

    @Test
    void aFailedStepFailsTheRunOnceAndLeavesNothing() throws Exception {
        AdviceWith.adviceWith(context, "archive-store", a -> a.weaveByToString(".*signManifest.*").before()
                .throwException(new IOException("No space left on device")));
        NotifyBuilder failed = new NotifyBuilder(context).fromRoute("backup-full").whenFailed(1).create();
        Exchange ex = send("backup-full", Map.of());
        assertThat(failed.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ex.getException()).hasMessage("No space left on device");
        assertThat(catalog().runs("backup-full")).extracting(Catalog.RunRow::outcome).containsExactly("failed");
        assertThat(alertLines()).singleElement().asString().contains("backup-full").contains("No space left on device");
        assertThat(nextPing()).isEqualTo("/ping/backup-full/start");
        assertThat(nextPing()).isEqualTo("/ping/backup-full/fail No space left on device");
        assertThat(pings.poll(1, TimeUnit.SECONDS)).as("one outcome ping").isNull();
        assertThat(archives()).isEmpty();
        assertThat(staging()).isEmpty();
    }

    @Test
    void aRunFailedBeforeItsArchiveIsStagedLeavesNoScratchEither() throws Exception {
        // the full's database snapshots are scratch in archive/.work from its collect step on; a failure
        // before stage (here an edit's step; in the service, whose process lives on, nothing else ever
        // deleted them) takes them away before the failed run is recorded
        List<List<String>> atRecord = new java.util.ArrayList<>();
        AdviceWith.adviceWith(context, "archive-store", a -> a.weaveByToString(".*stage.*").selectFirst().before()
                .throwException(new IOException("an edited step failed")));
        AdviceWith.adviceWith(context, "archive-store", a -> a.weaveByToString("(?i)process\\[(ref:)?recordFailedRun\\]").before()
                .process(e -> atRecord.add(staging())));
        Exchange ex = send("backup-full", Map.of());
        assertThat(ex.getException()).hasMessage("an edited step failed");
        assertThat(catalog().runs("backup-full")).extracting(Catalog.RunRow::outcome).containsExactly("failed");
        assertThat(atRecord).as("the scratch when the failed run is recorded").isNotEmpty().allMatch(List::isEmpty);
        assertThat(staging()).isEmpty();
    }

    @Test
    void withoutTheFailingStepTheSameRouteStores() throws Exception {
        // the advice above is what fails the run: the route as shipped, in the same shape, stores
        AdviceWith.adviceWith(context, "archive-store", a -> a.weaveByToString(".*signManifest.*").before().log("before signManifest"));
        fullBackup();
        assertThat(archives()).hasSize(1);
    }
}
