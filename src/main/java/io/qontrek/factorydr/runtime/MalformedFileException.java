package io.qontrek.factorydr.runtime;

import java.io.IOException;

/**
 * A runtime file that does not have the contract's shape. The message is one line: the file, then
 * the problem, so a verifier can report it as it stands.
 */
public class MalformedFileException extends IOException {
    private final String source;
    private final String problem;

    public MalformedFileException(String source, String problem) {
        this(source, problem, null);
    }

    public MalformedFileException(String source, String problem, Throwable cause) {
        super(oneLine(source + ": " + problem), cause);
        this.source = source;
        this.problem = problem;
    }

    /** The file (or other source) that is malformed. */
    public String source() {
        return source;
    }

    /** What is wrong with it, without the file name. */
    public String problem() {
        return problem;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
