package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.SmallHeap;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest of a million files, signed, written as its sidecar, parsed back, compared: every step
 * of the manifest's life in a child JVM whose 64 MB heap could not hold its records as objects
 * (about 100 MB), nor its JSON (150 MB) as one String. Then the repeat check of the same number of
 * paths, in order and out of it.
 */
class ManifestAtScaleTest {
    static final int FILES = 1_000_000;
    private static final byte[] SECRET = "signing secret".getBytes(StandardCharsets.UTF_8);

    @TempDir Path tmp;

    static String path(int i) {
        return String.format("proof/proof-%012d.json", i);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String h = Hashes.sha256Hex("x");
        Manifest unsigned;
        try (FileList.Builder b = FileList.builder(dir)) {
            for (int i = 0; i < FILES; i++) b.add(new FileRecord(path(i), i, h));
            unsigned = Manifest.unsealed("full-20251026T030000Z", Manifest.Type.FULL, Instant.parse("2025-10-26T03:00:00Z"), null,
                    b.seal(), new Manifest.ProofHead(FILES - 1, h), null, List.of(), List.of())
                    .withArchive("full/20251026T030000Z.tar.gz.enc", 1, h);
        }
        Manifest signed = unsigned.withSignature(ManifestSignature.sign(unsigned, SECRET));
        Path sidecar = dir.resolve("m.json");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(sidecar), 1 << 16)) {
            ManifestJson.writePretty(signed, out);
        }
        Manifest back;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(sidecar), 1 << 16)) {
            back = ManifestJson.parse(in, dir);
        }
        if (!ManifestSignature.verify(back, SECRET)) throw new AssertionError("signature");
        if (!Arrays.equals(ManifestJson.canonicalSha256(back, ManifestJson.Form.IN_TAR),
                ManifestJson.canonicalSha256(signed, ManifestJson.Form.IN_TAR))) throw new AssertionError("canonical forms differ");
        if (!back.equals(signed)) throw new AssertionError("records differ");
        System.out.println("manifest of " + back.files().count() + " files, " + Files.size(sidecar) + " bytes, signed and parsed back");

        try (UniquePaths ordered = new UniquePaths(dir); UniquePaths shuffled = new UniquePaths(dir)) {
            for (int i = 0; i < FILES; i++) {
                if (!ordered.add(path(i))) throw new AssertionError("ordered repeat " + i);
            }
            if (ordered.add(path(FILES / 2))) throw new AssertionError("a repeat out of order was not seen");
            int some = 200_000; // out of order: each one a row of the on-disk table
            for (int i = 0; i < some; i++) shuffled.add(path((int) ((i * 100_003L) % some))); // a permutation
            if (shuffled.add(path(17))) throw new AssertionError("a repeat in the table was not seen");
        }
        System.out.println("repeats found among " + FILES + " paths in order and out of it");
    }

    @Test
    void aMillionFilesInASixtyFourMegabyteHeap() throws Exception {
        String out = SmallHeap.run("64m", ManifestAtScaleTest.class, tmp, tmp.toString());
        assertThat(out).contains("manifest of 1000000 files").contains("repeats found among 1000000 paths");
    }

    @Test
    void uniquePathsFindsRepeatsAndClaimedParentsInOrderAndOutOfIt() {
        try (UniquePaths u = new UniquePaths(tmp)) {
            assertThat(u.claim("proof/a").ok()).isTrue();
            assertThat(u.claim("proof/a-x").ok()).isTrue(); // '-' sorts before '/': still in order
            assertThat(u.claim("proof/a/b").claimedParent()).as("a file claimed as a parent, in order").isEqualTo("proof/a");
            assertThat(u.ordered()).isTrue();
            assertThat(u.claim("proof/c").ok()).isTrue();
            assertThat(u.claim("proof/a-x").repeated()).as("out of order: the table answers").isTrue();
            assertThat(u.ordered()).isFalse();
            assertThat(u.claim("proof/c/d").claimedParent()).isEqualTo("proof/c");
            assertThat(u.contains("proof/a")).isTrue();
            assertThat(u.contains("proof/zz")).isFalse();
        }
    }
}
