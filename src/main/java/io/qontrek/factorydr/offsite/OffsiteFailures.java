package io.qontrek.factorydr.offsite;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns whatever an offsite step threw into the one line an operator reads: what failed, why in
 * S3's words (error code and HTTP status, or the connection problem), and the bucket and endpoint.
 * Credentials never appear: the SDK does not put the secret key in messages, and we add none.
 */
public final class OffsiteFailures {
    private OffsiteFailures() {}

    public static String reason(Throwable e) {
        AwsServiceException aws = find(e, AwsServiceException.class);
        if (aws != null) {
            String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
            int status = aws.statusCode();
            String r = "S3 refused the request: " + (code == null ? "error" : code) + " (HTTP " + status + ")";
            if (status == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
                r += "; check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)";
            } else if ("NoSuchBucket".equals(code)) {
                r += "; create the bucket or fix factory.s3.bucket";
            }
            return r;
        }
        SdkClientException client = find(e, SdkClientException.class);
        if (client != null) return "cannot reach S3: " + firstLine(client.getMessage(), 240);
        OffsiteException own = find(e, OffsiteException.class);
        if (own != null) return own.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return firstLine(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage(), 240);
    }

    static String firstLine(String s, int max) {
        if (s == null) return "";
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > max ? line.substring(0, max) + "…" : line;
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }
}
