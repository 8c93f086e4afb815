package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hex;

/** One archived file as the manifest lists it: relative path, size in bytes, lowercase hex SHA-256. */
public record FileRecord(String path, long size, String sha256) {
    public FileRecord {
        String problem = EntryNames.problem(path);
        if (problem != null) throw new IllegalArgumentException("file path '" + path + "': " + problem);
        if (size < 0) throw new IllegalArgumentException("file '" + path + "': negative size " + size);
        if (!Hex.isHash(sha256)) throw new IllegalArgumentException("file '" + path + "': sha256 is not 64 lowercase hex");
    }
}
