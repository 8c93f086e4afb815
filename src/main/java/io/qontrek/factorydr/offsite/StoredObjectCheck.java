package io.qontrek.factorydr.offsite;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Proves the server holds the bytes we sent: its size equals the local size and its ETag equals the
 * one computed locally ({@link S3Etag}), or, with read-back checks, the SHA-256 of a fresh download
 * equals the local SHA-256. Any difference is an {@link OffsiteException} naming the object.
 */
public final class StoredObjectCheck {
    private final OffsiteSettings settings;
    private final S3Client client;

    public StoredObjectCheck(OffsiteSettings settings, S3Client client) {
        this.settings = settings;
        this.client = client;
    }

    public void check(OffsiteObject o, HeadObjectResponse head) throws IOException {
        String where = "s3://" + settings.bucket() + "/" + o.key();
        if (head.contentLength() == null || head.contentLength() != o.size()) {
            throw new OffsiteException("stored object " + where + " is " + head.contentLength() + " bytes, the local file "
                    + o.size() + " (" + settings.where() + ")");
        }
        if (settings.readback()) {
            String got = sha256Of(o.key());
            if (!got.equals(o.expected().sha256())) {
                throw new OffsiteException("stored object " + where + " reads back with a different SHA-256 (" + settings.where() + ")");
            }
        } else if (!S3Etag.unquote(head.eTag()).equals(o.expected().etag())) {
            throw new OffsiteException("stored object " + where + " has ETag " + S3Etag.unquote(head.eTag()) + ", expected "
                    + o.expected().etag() + " (" + settings.where() + ")");
        }
    }

    private String sha256Of(String key) throws IOException {
        MessageDigest sha = Hashes.sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = client.getObject(b -> b.bucket(settings.bucket()).key(key))) {
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        }
        return Hex.encode(sha.digest());
    }
}
