package io.slipway.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gunzip (igzip or zlib) and ReadAhead, the streams a layer passes through before the merge. */
class LayerStreamsTest {

    @TempDir
    Path dir;

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private InputStream gunzip(Path file) throws IOException {
        return Gunzip.open(file, Files.newInputStream(file));
    }

    @Test
    void igzipIsFoundOnTheTestMachines() {
        // tests/setup/install-deps.sh installs isal; without it imports fall back to zlib.
        assertTrue(Gunzip.igzip().isPresent(), "igzip (Debian package isal) should be installed");
        assertTrue(Gunzip.find("igzip", "/nonexistent:").isPresent(), "the fallback directories are searched");
    }

    @Test
    void concatenatedGzipMembersDecompressWhole() throws IOException {
        byte[] a = random(300_000);
        byte[] b = random(70_000);
        Path file = dir.resolve("multi.gz");
        Files.write(file, gzip(a));
        Files.write(file, gzip(b), java.nio.file.StandardOpenOption.APPEND);
        byte[] expected = new byte[a.length + b.length];
        System.arraycopy(a, 0, expected, 0, a.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        try (InputStream in = gunzip(file)) {
            assertArrayEquals(expected, in.readAllBytes());
        }
    }

    @Test
    void aTruncatedLayerIsAnErrorNotAShortStream() throws IOException {
        byte[] gz = gzip(random(2_000_000));
        Path file = dir.resolve("cut.gz");
        Files.write(file, Arrays.copyOf(gz, gz.length / 2));
        IOException e = assertThrows(IOException.class, () -> {
            try (InputStream in = gunzip(file)) {
                in.readAllBytes();
            }
        });
        assertTrue(e.getMessage().contains("cut.gz") || e.getMessage().contains("Unexpected end"), e.getMessage());
    }

    @Test
    void closingEarlyStopsTheDecompressor() throws IOException {
        Path file = dir.resolve("big.gz");
        Files.write(file, gzip(random(8_000_000)));
        try (InputStream in = gunzip(file)) {
            assertEquals(1000, in.readNBytes(1000).length);
        }
    }

    @Test
    void readAheadPassesEveryByteInOrderWhateverTheChunkSize() throws IOException {
        byte[] data = random(1_234_567);
        for (int chunk : new int[] {333, 4096, 1 << 20, 2 << 20}) {
            try (InputStream in = new ReadAhead(new ByteArrayInputStream(data), "t", 3, chunk)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int b = in.read();
                out.write(b);
                in.transferTo(out);
                assertArrayEquals(data, out.toByteArray(), "chunk " + chunk);
                assertEquals(-1, in.read());
            }
        }
    }

    @Test
    void aSourceErrorReachesTheReaderAfterTheGoodBytes() {
        byte[] good = random(10_000);
        InputStream failing = new InputStream() {
            private final InputStream head = new ByteArrayInputStream(good);

            @Override
            public int read() throws IOException {
                int b = head.read();
                if (b < 0) {
                    throw new IOException("disk on fire");
                }
                return b;
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IOException e = assertThrows(IOException.class, () -> {
            try (InputStream in = new ReadAhead(failing, "t", 2, 1024)) {
                in.transferTo(out);
            }
        });
        assertEquals("disk on fire", e.getMessage());
        assertArrayEquals(good, out.toByteArray());
    }

    @Test
    void closingBeforeTheEndReleasesTheReader() throws IOException {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 7;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 7);
                return len;
            }
        };
        ReadAhead in = new ReadAhead(endless, "t", 2, 1024);
        assertEquals(7, in.read());
        in.close();
    }
}
