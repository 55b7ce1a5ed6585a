package io.slipway.posix;

import java.nio.charset.StandardCharsets;

/**
 * FNV-1a, 64 bits: a cheap, stable hash for cache keys that spank-c/check_cache.c computes too
 * (a MessageDigest costs a cold JVM milliseconds of provider set-up). Not for anything an
 * adversary chooses.
 */
public final class Fnv1a {

    public static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private Fnv1a() {}

    public static long hash(long seed, byte[] bytes) {
        long hash = seed;
        for (byte b : bytes) {
            hash = (hash ^ (b & 0xff)) * PRIME;
        }
        return hash;
    }

    public static long hash(long seed, String text) {
        return hash(seed, text.getBytes(StandardCharsets.UTF_8));
    }

    /** 16 lower-case hex digits. */
    public static String hex(long hash) {
        String hex = Long.toHexString(hash);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
