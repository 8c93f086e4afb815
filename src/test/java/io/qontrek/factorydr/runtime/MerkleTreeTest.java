package io.qontrek.factorydr.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The Certificate Transparency reference inputs (google/certificate-transparency-go merkle tests). */
    private static final List<String> CT_LEAVES = List.of(
            "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f");

    /** MTH of the first n CT_LEAVES, n = 0..8, as published with those tests. */
    private static final List<String> CT_ROOTS = List.of(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    @Test
    void rootsMatchTheCertificateTransparencyVectors() {
        for (int n = 0; n <= 8; n++) {
            List<byte[]> leaves = CT_LEAVES.subList(0, n).stream().map(HEX::parseHex).toList();
            assertThat(HEX.formatHex(MerkleTree.root(leaves))).as("root of %d leaves", n).isEqualTo(CT_ROOTS.get(n));
        }
    }

    @Test
    void rootHexDecodesEachLeafToItsRawBytes() {
        for (int n = 0; n <= 8; n++) {
            assertThat(MerkleTree.rootHex(CT_LEAVES.subList(0, n))).as("root of %d hex leaves", n)
                    .isEqualTo(CT_ROOTS.get(n));
        }
    }

    @Test
    void agreesWithTheRecursiveDefinitionForEveryTreeShapeUpTo130Leaves() throws Exception {
        Random random = new Random(6962);
        List<byte[]> leaves = new ArrayList<>();
        for (int n = 0; n <= 130; n++) {
            assertThat(MerkleTree.root(leaves)).as("root of %d leaves", n).isEqualTo(Reference.mth(leaves));
            byte[] leaf = new byte[32];
            random.nextBytes(leaf);
            leaves.add(leaf);
        }
    }

    @Test
    void doesNotChangeTheCallersLeaves() {
        List<byte[]> leaves = CT_LEAVES.stream().map(HEX::parseHex).toList();
        MerkleTree.root(leaves);
        assertThat(leaves).extracting(HEX::formatHex).containsExactlyElementsOf(CT_LEAVES);
    }

    @Test
    void aMillionLeavesIsLinearWork() throws Exception {
        Random random = new Random(1);
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 1_000_001; i++) {
            byte[] leaf = new byte[32];
            random.nextBytes(leaf);
            leaves.add(leaf);
        }
        assertThat(MerkleTree.root(leaves)).isEqualTo(Reference.mth(leaves));
    }
}
