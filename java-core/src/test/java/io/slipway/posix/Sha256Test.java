package io.slipway.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Sha256Test {

    @Test
    void theNativeDigestIsUsedWithTheBuiltLibrary() {
        // make unit-test passes the freshly built libslipway; libcrypto is part of every Debian.
        try (Sha256 sha = Sha256.create()) {
            assertTrue(sha.isNative(), "libslipway with libcrypto should give the native SHA-256");
        }
    }

    @Test
    void nativeAndJdkAgreeOnChunkedInputAcrossResetsAndRepeatedDigests() {
        byte[] data = new byte[3 * (1 << 17) + 12345];
        new Random(7).nextBytes(data);
        try (Sha256 a = Sha256.create(); Sha256 b = Sha256.jdk()) {
            a.update(data, 0, 100);
            a.reset();
            for (int off = 0; off < data.length; off += 70001) {
                int len = Math.min(70001, data.length - off);
                a.update(data, off, len);
                b.update(data, off, len);
            }
            assertArrayEquals(b.digest(), a.digest());
            // Each digest starts afresh.
            a.update(data, 5, 10);
            b.update(data, 5, 10);
            assertEquals(b.ociDigest(), a.ociDigest());
        }
    }

    @Test
    void knownAnswerForTheEmptyInput() {
        try (Sha256 sha = Sha256.create()) {
            assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha.ociDigest());
        }
    }

    @Test
    void ociDigestOfBytesIsTheKnownAnswer() {
        assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.ociDigestOf("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    @Test
    void rangesOutsideTheArrayAndUseAfterCloseAreRefused() {
        Sha256 sha = Sha256.create();
        assertThrows(IndexOutOfBoundsException.class, () -> sha.update(new byte[4], 2, 3));
        sha.close();
        if (sha.isNative()) {
            assertThrows(IllegalStateException.class, () -> sha.update(new byte[4], 0, 4));
        }
        sha.close();
    }
}
