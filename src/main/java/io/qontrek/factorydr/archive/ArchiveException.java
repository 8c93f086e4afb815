package io.qontrek.factorydr.archive;

import java.io.IOException;

/**
 * An archive that cannot be trusted: not ours, wrong key, corrupt, tampered, or hostile.
 *
 * <p>The message is always one line that names what failed, because operators read it in an alert
 * and in {@code factory-dr verify} output. It extends {@link IOException} so that the streams of this
 * package can throw it from {@code read()} (a wrong key is only known when the CBC padding is checked
 * at the end of the stream) and callers still tell it apart from a plain I/O error.
 */
public class ArchiveException extends IOException {
    private static final long serialVersionUID = 1L;

    public ArchiveException(String message) {
        super(oneLine(message));
    }

    public ArchiveException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        return message == null ? "archive error" : message.replaceAll("[\\r\\n]+", " ").strip();
    }
}
