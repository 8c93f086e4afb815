package io.qontrek.factorydr.offsite;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the one S3 client every offsite route uses. */
public final class S3Clients {
    private S3Clients() {}

    /** Credentials from the AWS default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles. */
    public static S3Client create(OffsiteSettings s) {
        return create(s, DefaultCredentialsProvider.builder().build());
    }

    public static S3Client create(OffsiteSettings s, AwsCredentialsProvider credentials) {
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(s.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(s.pathStyle())
                // A connect timeout so that an unreachable endpoint fails in seconds, not minutes; reads
                // keep the SDK default, which allows for slow parts.
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)))
                // SDK 2.30+ adds CRC32 trailers (aws-chunked) to every upload; S3-compatible servers such as
                // S3Proxy 2.6.0 and older MinIO refuse them. Integrity is checked our way (size + MD5 ETag
                // or SHA-256 read-back), so checksums are only sent where S3 requires them.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (!s.endpoint().isEmpty()) b.endpointOverride(URI.create(s.endpoint()));
        return b.build();
    }
}
