package io.qontrek.factorydr.offsite;

/**
 * An offsite copy could not be made or checked. The message is one line naming the archive, what
 * went wrong, and the bucket and endpoint; never a credential.
 */
public class OffsiteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OffsiteException(String message) {
        super(oneLine(message));
    }

    public OffsiteException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        return message == null ? "offsite copy failed" : message.replaceAll("[\\r\\n]+", " ").strip();
    }
}
