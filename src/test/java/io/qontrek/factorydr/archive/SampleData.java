package io.qontrek.factorydr.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Semi-compressible content shaped like our proof JSON and logs: words, numbers and hex hashes. */
final class SampleData {
    private static final String[] WORDS = {"proof", "merkle_root", "ledger", "batch", "peer", "nonce", "receipt",
            "tower", "issued_at", "digest", "seq", "federation", "alert", "WARN", "INFO", "ok", "2025-10-23T14:00:00Z"};

    private SampleData() {}

    /** Writes {@code size} bytes of seeded, reproducible text to {@code out}, in 64 KiB pieces. */
    static void write(OutputStream out, long size, long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder line = new StringBuilder();
        byte[] hash = new byte[32];
        long written = 0;
        while (written < size) {
            line.setLength(0);
            while (line.length() < 64 * 1024) {
                line.append(WORDS[random.nextInt(WORDS.length)]).append(' ').append(random.nextInt(1_000_000)).append(' ');
                random.nextBytes(hash);
                line.append(io.qontrek.factorydr.common.Hex.encode(hash)).append('\n');
            }
            byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
            int n = (int) Math.min(bytes.length, size - written);
            out.write(bytes, 0, n);
            written += n;
        }
    }

    static Path file(Path path, long size, long seed) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(path)) {
            write(out, size, seed);
        }
        return path;
    }
}
