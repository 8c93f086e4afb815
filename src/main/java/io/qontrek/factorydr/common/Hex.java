package io.qontrek.factorydr.common;

import java.util.HexFormat;

/** Lowercase hex, the only encoding the runtime contract uses for hashes. */
public final class Hex {
    private static final HexFormat LOWER = HexFormat.of();

    /** 64 zeros: the contract's ZERO, the prev_root of seq 0 and the prev_hash of ledger seq 1. */
    public static final String ZERO = "0".repeat(64);

    private Hex() {}

    public static String encode(byte[] bytes) {
        return LOWER.formatHex(bytes);
    }

    public static byte[] decode(String hex) {
        return LOWER.parseHex(hex);
    }

    /** True for exactly 64 lowercase hex characters. */
    public static boolean isHash(String s) {
        if (s == null || s.length() != 64) return false;
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        return true;
    }
}
