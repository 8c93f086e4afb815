package io.qontrek.factorydr.backup;

import java.io.IOException;
import java.nio.file.Path;

/** The archive's name is taken: archives are never overwritten. */
public final class ArchiveExistsException extends IOException {
    public ArchiveExistsException(Path target) {
        super("archive " + target + " already exists; archives are never overwritten");
    }

    public ArchiveExistsException(String message) {
        super(message);
    }
}
