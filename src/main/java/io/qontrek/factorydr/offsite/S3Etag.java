package io.qontrek.factorydr.offsite;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The ETag S3 will report for a file uploaded the way camel-aws2-s3 uploads it, computed in one
 * read of the file. A single PUT (file shorter than the part size) gets the MD5 of the content; a
 * multipart upload (parts of exactly partSize, the last one shorter) gets the MD5 of the
 * concatenated binary part MD5s followed by "-" and the number of parts.
 *
 * <p>Why the ETag and not a download: it proves the server holds these exact bytes without a second
 * transfer of the archive, and S3, MinIO and S3Proxy all compute it this way for unencrypted and
 * SSE-S3 objects. For SSE-KMS it is not a content hash, so those uploads are read back instead.
 *
 * @param sha256 the file's SHA-256, computed in the same pass (for the read-back check)
 */
public record S3Etag(String etag, long size, String sha256) {

    public static S3Etag of(Path file, long partSize) throws IOException {
        MessageDigest whole = md5();
        MessageDigest part = md5();
        MessageDigest ofParts = md5();
        MessageDigest sha = Hashes.sha256();
        byte[] buf = new byte[1 << 16];
        long size = 0;
        long inPart = 0;
        int parts = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                whole.update(buf, 0, n);
                int off = 0;
                while (off < n) {
                    int take = (int) Math.min(n - off, partSize - inPart);
                    part.update(buf, off, take);
                    inPart += take;
                    off += take;
                    if (inPart == partSize) {
                        ofParts.update(part.digest());
                        parts++;
                        inPart = 0;
                    }
                }
                size += n;
            }
        }
        if (inPart > 0) {
            ofParts.update(part.digest());
            parts++;
        }
        String shaHex = Hex.encode(sha.digest());
        // camel-aws2-s3 uploads in one PUT below the part size, in parts from the part size up
        if (size < partSize || size == 0) return new S3Etag(Hex.encode(whole.digest()), size, shaHex);
        return new S3Etag(Hex.encode(ofParts.digest()) + "-" + parts, size, shaHex);
    }

    /** ETags arrive quoted ("\"abc\""); compare them without the quotes. */
    public static String unquote(String etag) {
        if (etag == null) return "";
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        return e;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }
}
