package io.slipway.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob read while its download writes it: real files written as the registry client writes
 * them (bytes in the file first, then progress), read back by the merge's readers.
 */
class ArrivingBlobTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private static byte[] random(int n) {
        return LayerStreamsTest.random(n);
    }

    /** A blob whose download writes {@code dir/.tmp}. */
    private ArrivingBlob downloading(String digest) {
        ArrivingBlob blob = new ArrivingBlob(digest);
        blob.writing(dir.resolve(".tmp"));
        return blob;
    }

    /** Appends {@code data[from, to)} to {@code file} and reports it, as BlobPuller does. */
    private static void append(ArrivingBlob blob, Path file, byte[] data, int from, int to) throws IOException {
        Files.write(file, Arrays.copyOfRange(data, from, to), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        blob.progress(to - from);
    }

    /** Renames the temporary file into the cache and reports the verified blob. */
    private Path publish(ArrivingBlob blob, Path temp) throws IOException {
        Path done = dir.resolve("done");
        Files.move(temp, done, StandardCopyOption.ATOMIC_MOVE);
        blob.complete(done);
        return done;
    }

    @Test
    void aReaderFollowsTheGrowingFileAndEndsOnlyOnceTheBlobIsVerified() throws IOException {
        byte[] data = random(3 * MIB + 12345);
        Path temp = dir.resolve(".tmp");
        ArrivingBlob blob = downloading("sha256:aa");
        append(blob, temp, data, 0, 2 * MIB);
        try (ArrivingBlob.Reader in = blob.open()) {
            // What is there is readable before the download ends.
            byte[] first = in.readNBytes(2 * MIB);
            assertArrayEquals(Arrays.copyOfRange(data, 0, 2 * MIB), first);
            append(blob, temp, data, 2 * MIB, data.length);
            publish(blob, temp);
            byte[] rest = in.readAllBytes();
            assertArrayEquals(Arrays.copyOfRange(data, 2 * MIB, data.length), rest);
            assertEquals(-1, in.read());
        }
        assertFalse(blob.restartedWhileRead());
    }

    @Test
    void aReaderWaitsForTheDownloadInAnotherThread() throws Exception {
        byte[] data = random(5 * MIB + 7);
        Path temp = dir.resolve(".tmp");
        ArrivingBlob blob = new ArrivingBlob("sha256:bb");
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (ArrivingBlob.Reader in = blob.open()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        blob.writing(temp);
        for (int off = 0; off < data.length; off += 100_000) {
            append(blob, temp, data, off, Math.min(data.length, off + 100_000));
        }
        publish(blob, temp);
        assertArrayEquals(data, read.get());
    }

    @Test
    void aDownloadStartingAgainFromZeroFailsItsReadersAndAsksForARedo() throws IOException {
        byte[] data = random(3 * MIB);
        Path temp = dir.resolve(".tmp");
        ArrivingBlob blob = downloading("sha256:cc");
        append(blob, temp, data, 0, 2 * MIB);
        try (ArrivingBlob.Reader in = blob.open()) {
            in.readNBytes(MIB);
            // The registry ignored Range: the client reports the drop, then rewrites from zero.
            blob.progress(-2 * MIB);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            append(blob, temp, data, 0, data.length);
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("restarted"), e.getMessage());
        }
        assertTrue(blob.restartedWhileRead());
        // A reader of the new generation reads the blob whole.
        publish(blob, temp);
        try (ArrivingBlob.Reader in = blob.open()) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void aRestartBeforeAnyReaderBeganNeedsNoRedo() throws IOException {
        byte[] data = random(MIB + 1);
        Path temp = dir.resolve(".tmp");
        ArrivingBlob blob = downloading("sha256:dd");
        append(blob, temp, data, 0, 1000);
        blob.progress(-1000);
        Files.delete(temp);
        append(blob, temp, data, 0, data.length);
        try (ArrivingBlob.Reader in = blob.open()) {
            publish(blob, temp);
            assertArrayEquals(data, in.readAllBytes());
        }
        assertFalse(blob.restartedWhileRead());
    }

    @Test
    void aFailedDownloadIsAnErrorInItsReadersNeverAnEnd() throws IOException {
        byte[] data = random(2 * MIB);
        Path temp = dir.resolve(".tmp");
        ArrivingBlob blob = downloading("sha256:ee");
        append(blob, temp, data, 0, data.length);
        try (ArrivingBlob.Reader in = blob.open()) {
            assertEquals(MIB, in.readNBytes(MIB).length);
            blob.failed(new SlipwayException("layer sha256:ee failed verification"));
            Files.delete(temp);
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("failed verification"), e.getMessage());
        }
        assertEquals("layer sha256:ee failed verification", blob.failure().getMessage());
    }

    @Test
    void aCompleteBlobIsItsCacheFile() throws IOException {
        byte[] data = random(12345);
        Path file = dir.resolve("cached");
        Files.write(file, data);
        ArrivingBlob blob = ArrivingBlob.completed("sha256:ff", file);
        assertTrue(blob.isComplete());
        try (ArrivingBlob.Reader in = blob.open()) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void aGzipLayerFollowedThroughItsDownloadMergesLikeTheCompleteFile() throws Exception {
        // A layer big enough to arrive in many writes: a few files of incompressible content.
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(gz);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(z)) {
            for (int i = 0; i < 4; i++) {
                byte[] content = random(MIB + i);
                TarArchiveEntry e = new TarArchiveEntry("dir/file" + i);
                e.setSize(content.length);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        byte[] layer = gz.toByteArray();
        Path complete = dir.resolve("complete.gz");
        Files.write(complete, layer);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        new LayerMerger().merge(List.of(LayerMerger.Layer.of(complete)), expected);

        Path temp = dir.resolve(".tmp");
        ArrivingBlob blob = downloading("sha256:gz");
        append(blob, temp, layer, 0, 1);
        LayerMerger.Layer following = new LayerMerger.Layer() {
            @Override
            public String name() {
                return "following";
            }

            @Override
            public Path file() {
                return complete;
            }

            @Override
            public TarArchiveInputStream openTar() throws IOException {
                return LayerMerger.open(blob.open());
            }
        };
        CompletableFuture<Void> download = CompletableFuture.runAsync(() -> {
            try {
                for (int off = 1; off < layer.length; off += 300_000) {
                    append(blob, temp, layer, off, Math.min(layer.length, off + 300_000));
                }
                publish(blob, temp);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ByteArrayOutputStream merged = new ByteArrayOutputStream();
        new LayerMerger().merge(List.of(following), merged);
        download.get();
        assertArrayEquals(expected.toByteArray(), merged.toByteArray());
        assertFalse(blob.restartedWhileRead());
    }

    @Test
    void theFeederMovesTheBlobIntoAPipeWhole() throws IOException {
        byte[] data = random(2 * MIB + 3);
        Path temp = dir.resolve(".tmp");
        ArrivingBlob blob = downloading("sha256:pipe");
        append(blob, temp, data, 0, data.length);
        publish(blob, temp);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrivingBlob.Reader in = blob.open()) {
            in.feed(Channels.newChannel(out));
        }
        assertArrayEquals(data, out.toByteArray());
        assertEquals("sha256:pipe", blob.digest());
        try (InputStream again = blob.open()) {
            assertEquals(data.length, again.readAllBytes().length);
        }
    }
}
