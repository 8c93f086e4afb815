package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.archive.EncodingInputStream;
import io.qontrek.factorydr.archive.Gzip;
import io.qontrek.factorydr.archive.OpensslCipher;
import io.qontrek.factorydr.common.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The archive-store route's steps (routes/archive.camel.yaml) in the route's order, for tests that need
 * real archives made by the one writer without starting Camel: stage, tar, gzip, encrypt, write, sign,
 * sidecars, read-back, publish. (ShrinkCheckTest and the CLI tests run the route itself.)
 */
public final class StoreSteps {
    private StoreSteps() {}

    public static StoredArchive store(Path archiveDir, BackupSet set, byte[] archiveKey, byte[] signingSecret, int gzipThreads)
            throws IOException {
        try (StagedArchive staged = StagedArchive.stage(archiveDir, set, false)) {
            staged.write(encoded(staged.tar(ProgressListener.NONE), archiveKey, gzipThreads), archiveKey);
            staged.sign(signingSecret);
            staged.stageSidecars();
            staged.verifyReadBack(signingSecret);
            return staged.publish();
        }
    }

    /** The gzip and encrypt steps around a tar stream. */
    public static InputStream encoded(InputStream tar, byte[] archiveKey, int gzipThreads) throws IOException {
        InputStream gzip = new EncodingInputStream(tar, out -> Gzip.compressing(out, gzipThreads));
        return new EncodingInputStream(gzip, out -> OpensslCipher.encrypting(out, archiveKey));
    }
}
