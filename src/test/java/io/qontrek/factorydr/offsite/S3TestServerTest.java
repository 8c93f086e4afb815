package io.qontrek.factorydr.offsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The test server itself: objects survive a stop and start on the same port; the ETags follow S3's rules. */
class S3TestServerTest {
    @TempDir Path tmp;

    @Test
    void keepsObjectsAcrossARestartAndIsUnreachableWhileStopped() throws Exception {
        try (S3TestServer server = S3TestServer.start(tmp.resolve("s3")); S3Client c = server.client()) {
            c.putObject(b -> b.bucket(S3TestServer.BUCKET).key("a/b.txt"), RequestBody.fromString("hello"));
            server.stop();
            assertThatThrownBy(() -> c.headObject(b -> b.bucket(S3TestServer.BUCKET).key("a/b.txt")))
                    .isInstanceOf(SdkClientException.class);
            server.start();
            assertThat(c.headObject(b -> b.bucket(S3TestServer.BUCKET).key("a/b.txt")).contentLength()).isEqualTo(5);
            assertThat(server.storedFile("a/b.txt")).hasContent("hello");
        }
    }

    @Test
    void etagsAreWhatS3Computes() throws Exception {
        Path file = tmp.resolve("big.bin");
        byte[] data = new byte[12 * 1024 * 1024 + 123];
        new Random(1).nextBytes(data);
        Files.write(file, data);
        long part = 5L * 1024 * 1024;
        try (S3TestServer server = S3TestServer.start(tmp.resolve("s3")); S3Client c = server.client()) {
            c.putObject(b -> b.bucket(S3TestServer.BUCKET).key("single"), RequestBody.fromFile(file));
            assertThat(S3Etag.unquote(c.headObject(b -> b.bucket(S3TestServer.BUCKET).key("single")).eTag()))
                    .isEqualTo(S3Etag.of(file, Long.MAX_VALUE).etag());
            String id = c.createMultipartUpload(b -> b.bucket(S3TestServer.BUCKET).key("multi")).uploadId();
            var parts = new java.util.ArrayList<software.amazon.awssdk.services.s3.model.CompletedPart>();
            for (int i = 0; i * part < data.length; i++) {
                int from = (int) (i * part);
                int to = (int) Math.min(data.length, from + part);
                int n = i + 1;
                String etag = c.uploadPart(b -> b.bucket(S3TestServer.BUCKET).key("multi").uploadId(id).partNumber(n),
                        RequestBody.fromBytes(java.util.Arrays.copyOfRange(data, from, to))).eTag();
                parts.add(software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
            c.completeMultipartUpload(b -> b.bucket(S3TestServer.BUCKET).key("multi").uploadId(id)
                    .multipartUpload(m -> m.parts(parts)));
            assertThat(S3Etag.unquote(c.headObject(b -> b.bucket(S3TestServer.BUCKET).key("multi")).eTag()))
                    .isEqualTo(S3Etag.of(file, part).etag()).endsWith("-3");
        }
    }
}
