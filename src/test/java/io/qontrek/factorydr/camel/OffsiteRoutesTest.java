package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.offsite.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/**
 * routes/offsite.camel.yaml with the backup routes, in process, against a real S3 API server
 * (S3Proxy): a full goes offsite byte-equal and is marked so; with S3 down the backup's local archive
 * stays complete and recorded while the run fails once, naming the bucket and the endpoint, and
 * offsite-catch-up copies it once S3 is back; offsite-download brings a lost archive back verified.
 */
class OffsiteRoutesTest extends RouteFileTestSupport {
    @Override
    List<String> routeFiles() {
        return List.of("offsite.camel.yaml", "backup.camel.yaml", "archive.camel.yaml");
    }

    @Override
    Map<String, String> moreSettings() {
        return s3Settings(1);
    }

    private byte[] offsite(String name) throws Exception {
        return s3.client().getObjectAsBytes(b -> b.bucket(S3TestServer.BUCKET).key("factory-runtime/" + name)).asByteArray();
    }

    private Path local(String name) {
        return layout().archiveDir().resolve(name);
    }

    @Test
    void aFullGoesOffsiteByteEqualAndIsMarked() throws Exception {
        NotifyBuilder uploaded = new NotifyBuilder(context).fromRoute("backup-full").wereSentTo("direct:offsite-upload").whenCompleted(1).create();
        fullBackup();
        assertThat(uploaded.matches(60, TimeUnit.SECONDS)).isTrue();
        String name = archives().get(0);
        for (String n : List.of(name, name + ".sha256", name + ".manifest.json")) assertThat(offsite(n)).isEqualTo(Files.readAllBytes(local(n)));
        assertThat(catalog().notOffsite()).isEmpty();
    }

    @Test
    void withS3DownTheLocalArchiveStandsAndCatchUpCopiesItLater() throws Exception {
        s3.stop();
        Exchange failed = send("backup-full", Map.of());
        assertThat(failed.getException()).isNotNull();
        assertThat(failed.getException().getMessage()).contains(S3TestServer.BUCKET).contains(s3.endpoint());
        String name = archives().get(0);
        assertThat(catalog().archives()).extracting(CatalogEntry::name).containsExactly(name);
        assertThat(catalog().notOffsite()).extracting(CatalogEntry::name).containsExactly(name);
        assertThat(alertLines()).singleElement().asString().contains(S3TestServer.BUCKET);

        s3.start();
        NotifyBuilder copied = new NotifyBuilder(context).fromRoute("offsite-catch-up").wereSentTo("direct:offsite-upload").whenCompleted(1).create();
        assertThat(send("offsite-catch-up", Map.of()).getException()).isNull();
        assertThat(copied.matches(60, TimeUnit.SECONDS)).isTrue();
        assertThat(offsite(name)).isEqualTo(Files.readAllBytes(local(name)));
        assertThat(catalog().notOffsite()).isEmpty();
    }

    @Test
    void aLostArchiveComesBackFromS3Verified() throws Exception {
        fullBackup();
        String name = archives().get(0);
        byte[] original = Files.readAllBytes(local(name));
        for (String n : List.of(name, name + ".sha256", name + ".manifest.json", name + ".manifest.json.sig")) Files.delete(local(n));
        Exchange ex = send("offsite-download", Map.of(FlowBeans.ARCHIVE, name));
        assertThat(ex.getException()).isNull();
        assertThat(Files.readAllBytes(local(name))).isEqualTo(original);
        assertThat(local(name + ".manifest.json")).isRegularFile();
    }
}
