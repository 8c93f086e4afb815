package io.qontrek.factorydr.offsite;

import io.qontrek.factorydr.config.Settings;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * The factory.s3.* settings, validated: where offsite copies go and how they are stored.
 *
 * @param endpoint empty for AWS itself, else the base URI of an S3-compatible server (MinIO, S3Proxy)
 * @param prefix the key prefix, empty or ending in '/'
 * @param sse none, AES256 (SSE-S3) or aws:kms (SSE-KMS with kmsKeyId)
 * @param verify how a stored object is checked: etag (the server's ETag against the MD5s computed
 *     locally) or readback (download it and compare SHA-256); SSE-KMS forces readback, because its
 *     ETags are not content hashes
 */
public record OffsiteSettings(boolean enabled, String endpoint, String bucket, String prefix, String region,
                              boolean pathStyle, String storageClass, String sse, String kmsKeyId, int partSizeMb,
                              String verify) {
    public static final Set<String> SSE_MODES = Set.of("none", "AES256", "aws:kms");
    /** S3 refuses parts under 5 MiB (except the last) and over 5 GiB. */
    static final int MIN_PART_MB = 5;
    static final int MAX_PART_MB = 5 * 1024;

    /** Checks offsite's settings: these, and the redelivery the offsite and retention routes give an S3 call. */
    public static void validate(Settings s) {
        from(s);
        s.getInt("factory.s3.retries", 0, 100);
        s.getInt("factory.s3.retry-delay-ms", 0, 600_000);
    }

    public static OffsiteSettings from(Settings s) {
        boolean enabled = s.getBoolean("factory.s3.enabled");
        String endpoint = s.get("factory.s3.endpoint");
        if (!endpoint.isEmpty()) {
            try {
                URI u = URI.create(endpoint);
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw s.invalid("factory.s3.endpoint", "empty (AWS) or an http(s)://host[:port] URI");
            }
        }
        String bucket = s.get("factory.s3.bucket");
        // S3 bucket naming rules, the part that catches typos: 3-63 lowercase letters, digits, dots, dashes
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw s.invalid("factory.s3.bucket", "an S3 bucket name (3-63 lowercase letters, digits, '.', '-')");
        }
        String prefix = s.get("factory.s3.prefix");
        while (prefix.startsWith("/")) prefix = prefix.substring(1);
        if (!prefix.isEmpty() && !prefix.endsWith("/")) prefix = prefix + "/";
        if (prefix.contains("//") || prefix.contains("..")) throw s.invalid("factory.s3.prefix", "a key prefix without '//' or '..'");
        String region = s.get("factory.s3.region", "us-east-1");
        if (!region.matches("[a-z0-9-]+")) throw s.invalid("factory.s3.region", "an AWS region name such as us-east-1");
        String pathStyleText = s.get("factory.s3.path-style");
        boolean pathStyle = pathStyleText.isEmpty() ? !endpoint.isEmpty() : s.getBoolean("factory.s3.path-style");
        String storageClass = s.get("factory.s3.storage-class", "STANDARD");
        if (!storageClass.matches("[A-Z_]+")) throw s.invalid("factory.s3.storage-class", "an S3 storage class such as STANDARD or STANDARD_IA");
        String sse = s.get("factory.s3.sse", "none");
        if (!SSE_MODES.contains(sse)) throw s.invalid("factory.s3.sse", "none, AES256 or aws:kms");
        String kmsKeyId = s.get("factory.s3.kms-key-id");
        if (sse.equals("aws:kms") && kmsKeyId.isEmpty()) {
            throw s.invalid("factory.s3.kms-key-id", "the KMS key id or ARN, because factory.s3.sse=aws:kms");
        }
        int partSizeMb = s.getInt("factory.s3.part-size-mb", MIN_PART_MB, MAX_PART_MB);
        String verify = s.get("factory.s3.verify", "etag").toLowerCase(Locale.ROOT);
        if (!verify.equals("etag") && !verify.equals("readback")) throw s.invalid("factory.s3.verify", "etag or readback");
        if (sse.equals("aws:kms")) verify = "readback";
        return new OffsiteSettings(enabled, endpoint, bucket, prefix, region, pathStyle, storageClass, sse, kmsKeyId,
                partSizeMb, verify);
    }

    /** The object key of an archive or sidecar, from its name relative to the archive directory. */
    public String key(String relativeName) {
        return prefix + relativeName;
    }

    public long partSizeBytes() {
        return partSizeMb * 1024L * 1024L;
    }

    public boolean readback() {
        return verify.equals("readback");
    }

    /** "bucket B at endpoint E": what every offsite error names, so the operator knows where to look. */
    public String where() {
        return "bucket " + bucket + " at endpoint " + (endpoint.isEmpty() ? "AWS S3 (" + region + ")" : endpoint);
    }
}
