package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.security.MessageDigest;
import java.util.List;

/**
 * RFC 6962 section 2.1 Merkle Tree Hash, the {@code merkle_root} of a proof file.
 *
 * <p>Computed bottom-up, level by level in one array: pairing neighbours and carrying an odd last
 * node up unchanged gives exactly the RFC's split at the largest power of two below n, without
 * the recursion's sub-list copies. Memory is one 32-byte hash per leaf.
 */
public final class MerkleTree {
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    private MerkleTree() {}

    /** MTH over the given leaves (raw bytes, any length); MTH({}) = SHA-256(""). */
    public static byte[] root(List<byte[]> leaves) {
        MessageDigest sha256 = Hashes.sha256();
        if (leaves.isEmpty()) {
            return sha256.digest();
        }
        byte[][] level = new byte[leaves.size()][];
        int size = 0;
        for (byte[] leaf : leaves) {
            sha256.update(LEAF_PREFIX);
            level[size++] = sha256.digest(leaf);
        }
        while (size > 1) {
            int next = 0;
            for (int i = 0; i < size; i += 2) {
                if (i + 1 == size) {
                    level[next++] = level[i];
                } else {
                    sha256.update(NODE_PREFIX);
                    sha256.update(level[i]);
                    level[next++] = sha256.digest(level[i + 1]);
                }
            }
            size = next;
        }
        return level[0];
    }

    /** MTH over leaves given as hex strings, each decoded to the raw bytes it encodes. */
    public static String rootHex(List<String> hexLeaves) {
        return Hex.encode(root(hexLeaves.stream().map(Hex::decode).toList()));
    }
}
