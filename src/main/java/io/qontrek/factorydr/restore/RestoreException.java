package io.qontrek.factorydr.restore;

import java.io.IOException;

/**
 * A restore that cannot go ahead or did not complete: nothing to restore for the date asked, a swap
 * that failed (and was rolled back), a rollback that itself failed. The message is one line that says
 * what failed and what exists instead, because operators read it in an alert and on the terminal.
 */
public class RestoreException extends IOException {
    private static final long serialVersionUID = 1L;

    public RestoreException(String message) {
        super(oneLine(message));
    }

    public RestoreException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        return message == null ? "restore error" : message.replaceAll("[\\r\\n]+", " ").strip();
    }
}
