package io.qontrek.factorydr.archive;

/**
 * The first cipher block decrypted to noise rather than a gzip header: a wrong key, or a damaged
 * file. Which of the two is told by the file's SHA-256: once it matches the archive's sidecar and
 * signed manifest, the file is as it was written, so the key is what is wrong.
 */
final class FirstBlockNotGzip extends ArchiveException {
    private static final long serialVersionUID = 1L;

    FirstBlockNotGzip() {
        super("wrong key or corrupt archive");
    }
}
