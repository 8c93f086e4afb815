package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each engine, zlib and libdeflate (installed here; .ci/run installs it), inflates a member's deflate
 * data to exactly its block and refuses, in the same words, data that ends early, runs long, is
 * followed by stray bytes or is damaged; and each inflates what the other deflated.
 */
class BlockInflaterTest {
    private static byte[] block() {
        byte[] b = new byte[200_000];
        Random r = new Random(3);
        for (int i = 0; i < b.length; i++) b[i] = (byte) ("proof ledger receipt ".charAt(r.nextInt(21)));
        return b;
    }

    private static byte[] deflated(BlockDeflater.Engine engine, byte[] block) {
        try (BlockDeflater d = engine.open(block.length)) {
            byte[] out = new byte[BlockDeflater.bound(block.length)];
            return Arrays.copyOf(out, d.deflate(block, block.length, out));
        }
    }

    @ParameterizedTest(name = "zlib={0}")
    @ValueSource(booleans = {true, false})
    void inflatesExactlyTheBlockAndRefusesEveryOtherShape(boolean zlib) throws Exception {
        assertThat(Libdeflate.LIB).as("libdeflate0 is installed").isNotNull();
        byte[] block = block();
        try (BlockInflater inf = BlockInflater.open(zlib)) {
            for (BlockDeflater.Engine engine : BlockDeflater.Engine.values()) {
                byte[] data = deflated(engine, block);
                byte[] out = new byte[block.length];
                inf.inflate(data, data.length, out, block.length, 0);
                assertThat(out).as("deflated by %s", engine).isEqualTo(block);
            }
            byte[] data = deflated(BlockDeflater.Engine.AUTO, block);
            byte[] out = new byte[2 * block.length];
            assertThatThrownBy(() -> inf.inflate(data, data.length / 2, out, block.length, 7)).isInstanceOf(IOException.class)
                    .hasMessageContaining("member at byte 7").hasMessageContaining("(corrupt)");
            assertThatThrownBy(() -> inf.inflate(data, data.length, out, block.length - 1, 7))
                    .hasMessage("the member at byte 7 inflates to more than its trailer's " + (block.length - 1) + " bytes (corrupt)");
            assertThatThrownBy(() -> inf.inflate(data, data.length, out, block.length + 1, 7))
                    .hasMessage("the member at byte 7 inflates to " + block.length + " bytes, its trailer says " + (block.length + 1) + " (corrupt)");
            byte[] stray = Arrays.copyOf(data, data.length + 3);
            assertThatThrownBy(() -> inf.inflate(stray, stray.length, out, block.length, 7))
                    .hasMessage("the member at byte 7 has 3 bytes after its deflate data (corrupt)");
            byte[] damaged = data.clone();
            damaged[10] ^= (byte) 0xff;
            damaged[11] ^= (byte) 0x5a;
            // damaged deflate data fails here, or inflates to other bytes, which the caller's CRC-32 refuses
            try {
                inf.inflate(damaged, damaged.length, out, block.length, 7);
                assertThat(Arrays.copyOf(out, block.length)).isNotEqualTo(block);
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("member at byte 7").hasMessageContaining("(corrupt)");
            }
        }
    }
}
