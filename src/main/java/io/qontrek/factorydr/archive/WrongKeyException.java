package io.qontrek.factorydr.archive;

/** An intact archive (its SHA-256 matches its sidecar and signed manifest) that this key does not open. */
public final class WrongKeyException extends ArchiveException {
    private static final long serialVersionUID = 1L;

    WrongKeyException(String archiveName, Throwable cause) {
        super(archiveName + ": wrong key: it does not decrypt with this ARCHIVE_ENCRYPTION_KEY (the file is intact: its"
                + " SHA-256 matches " + archiveName + ".sha256 and its signed manifest)", cause);
    }
}
