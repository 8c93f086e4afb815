package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.steps.FlowBeans;
import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.offsite.S3TestServer;
import io.qontrek.factorydr.signing.DetachedSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
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
        for (String n : List.of(name, name + ".sha256", name + ".manifest.json.sig", name + ".manifest.json", "signing-key.pub.pem")) {
            assertThat(offsite(n)).as(n).isEqualTo(Files.readAllBytes(local(n)));
        }
        // the key also under its fingerprint, a name no rotation replaces
        PublicKey key = DetachedSignatures.published(layout().archiveDir());
        assertThat(offsite(DetachedSignatures.fingerprintedName(key))).isEqualTo(Files.readAllBytes(local("signing-key.pub.pem")));
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
    void aLostArchiveComesBackFromS3VerifiedWithItsSignatureAndKey() throws Exception {
        fullBackup();
        String name = archives().get(0);
        List<String> files = List.of(name, name + ".sha256", name + ".manifest.json", name + ".manifest.json.sig", "signing-key.pub.pem");
        Map<String, byte[]> original = new java.util.HashMap<>();
        for (String n : files) original.put(n, Files.readAllBytes(local(n)));
        // the machine burned: the archive directory, its public key with it
        for (String n : files) Files.delete(local(n));
        Exchange ex = send("offsite-download", Map.of(FlowBeans.ARCHIVE, name));
        assertThat(ex.getException()).isNull();
        for (String n : files) assertThat(Files.readAllBytes(local(n))).as(n).isEqualTo(original.get(n));
        // the .sig checks against the key that came back with it
        assertThat(send("verify-detached", Map.of("factoryVerifyFile", local(name + ".manifest.json").toString())).getMessage()
                .getHeader("factoryEd25519", String.class)).startsWith("Ed25519 signature verified");

        // an archive written before signatures: no .sig in the bucket, and the download still completes
        for (String n : List.of(name, name + ".sha256", name + ".manifest.json", name + ".manifest.json.sig")) Files.delete(local(n));
        s3.client().deleteObject(b -> b.bucket(S3TestServer.BUCKET).key("factory-runtime/" + name + ".manifest.json.sig"));
        assertThat(send("offsite-download", Map.of(FlowBeans.ARCHIVE, name)).getException()).isNull();
        assertThat(local(name)).isRegularFile();
        assertThat(local(name + ".manifest.json.sig")).doesNotExist();

        // but an archive whose manifest is missing from the bucket is not downloaded
        for (String n : List.of(name, name + ".sha256", name + ".manifest.json")) Files.delete(local(n));
        s3.client().deleteObject(b -> b.bucket(S3TestServer.BUCKET).key("factory-runtime/" + name + ".manifest.json"));
        assertThat(send("offsite-download", Map.of(FlowBeans.ARCHIVE, name)).getException()).isNotNull();
        assertThat(local(name)).doesNotExist();
    }

    /**
     * catalog-rebuild-s3 over a bucket listing longer than S3's page of 1000 keys, with the real
     * manifest on the second page (so a one-page listing would miss it), a manifest whose signature
     * does not verify and a true one under another archive's key: each named a problem, not recorded.
     */
    @Test
    void theCatalogComesBackFromTheBucketOverManyPagesAndOnlyFromManifestsThatVerify() throws Exception {
        NotifyBuilder uploaded = new NotifyBuilder(context).fromRoute("backup-full").wereSentTo("direct:offsite-upload").whenCompleted(1).create();
        fullBackup();
        assertThat(uploaded.matches(60, TimeUnit.SECONDS)).isTrue();
        String name = archives().get(0);
        String prefix = "factory-runtime/";
        // 1,100 other objects, each sorted before the archive's keys ("full/...")
        for (int i = 0; i < 1100; i++) {
            String key = prefix + "early/" + String.format("%04d", i);
            s3.client().putObject(b -> b.bucket(S3TestServer.BUCKET).key(key), software.amazon.awssdk.core.sync.RequestBody.fromString("x"));
        }
        byte[] manifest = Files.readAllBytes(local(name + ".manifest.json"));
        // another creation time than the one signed
        String forged = new String(manifest, java.nio.charset.StandardCharsets.UTF_8)
                .replaceFirst("\"created_at\"(\\s*):(\\s*)\"20", "\"created_at\"$1:$2\"19");
        assertThat(forged).isNotEqualTo(new String(manifest, java.nio.charset.StandardCharsets.UTF_8));
        s3.client().putObject(b -> b.bucket(S3TestServer.BUCKET).key(prefix + "early/forged.tar.gz.enc.manifest.json"),
                software.amazon.awssdk.core.sync.RequestBody.fromString(forged));
        s3.client().putObject(b -> b.bucket(S3TestServer.BUCKET).key(prefix + "early/orphan.tar.gz.enc.manifest.json"),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(manifest));
        Files.delete(layout().catalogDb());

        Exchange ex = send("catalog-rebuild-s3", Map.of());
        assertThat(ex.getException()).isNull();
        io.qontrek.factorydr.restore.CatalogRebuilder.Result r = ex.getMessage().getBody(io.qontrek.factorydr.restore.CatalogRebuilder.Result.class);
        assertThat(r.manifests()).isEqualTo(3);
        assertThat(r.recorded()).isEqualTo(1);
        assertThat(r.problems()).hasSize(2).anySatisfy(p -> assertThat(p).startsWith("early/forged.tar.gz.enc: "))
                .anySatisfy(p -> assertThat(p).startsWith("early/orphan.tar.gz.enc: "));
        assertThat(catalog().archives()).extracting(CatalogEntry::name).containsExactly(name);
        assertThat(catalog().notOffsite()).isEmpty();
    }
}
