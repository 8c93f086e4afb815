package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hex;

/**
 * One archived file as the manifest lists it: relative path, size in bytes, lowercase hex SHA-256, and
 * its mode, mtime, owner and group ({@link EntryAttributes}). The attributes are null in manifests
 * written before they were recorded (and for content made in memory without a source file); such a
 * file is restored as before, 0644 and owned by the restorer.
 */
public record FileRecord(String path, long size, String sha256, EntryAttributes attributes) {
    public FileRecord {
        String problem = EntryNames.problem(path);
        if (problem != null) throw new IllegalArgumentException("file path '" + path + "': " + problem);
        if (size < 0) throw new IllegalArgumentException("file '" + path + "': negative size " + size);
        if (!Hex.isHash(sha256)) throw new IllegalArgumentException("file '" + path + "': sha256 is not 64 lowercase hex");
    }

    /** A record without attributes. */
    public FileRecord(String path, long size, String sha256) {
        this(path, size, sha256, null);
    }
}
