package io.qontrek.factorydr.offsite;

import java.io.File;
import java.nio.file.Path;

/** One local file (an archive or a sidecar) and the key it has offsite, with its expected size and ETag. */
public record OffsiteObject(Path file, String key, S3Etag expected) {
    /** The upload body: camel-aws2-s3 streams a File (RequestBody.fromFile, or parts read from it) instead of buffering. */
    public File localFile() {
        return file.toFile();
    }

    public long size() {
        return expected.size();
    }
}
