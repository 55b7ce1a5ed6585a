package io.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreIndexTest {

    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    @TempDir
    Path root;

    private ImageStore store() throws IOException {
        ImageStore s = new ImageStore(root, "x86");
        s.create();
        return s;
    }

    @Test
    void imagesAreNamedByTheirManifestDigestUnderTheArchitecture() throws IOException {
        assertEquals(root.resolve("x86/sha256-" + "1".repeat(64) + ".sqsh"), store().imageFile(D1));
    }

    @Test
    void recordingKeepsOneEntryPerReferenceWithSizeAndTimes() throws IOException {
        ImageStore s = store();
        Files.write(s.imageFile(D1), new byte[42]);
        s.record("r#a:1", D1, List.of("sha256:aa"));
        s.record("r#a:1", D1, List.of());
        var entries = s.entries();
        assertEquals(1, entries.size());
        assertEquals(42, entries.get(0).size());
        assertEquals(List.of("sha256:aa"), entries.get(0).layers());
        assertFalse(entries.get(0).created().isEmpty());
    }

    @Test
    void aMovedTagPointsAtTheNewDigest() throws IOException {
        ImageStore s = store();
        s.record("r#a:1", D1, List.of());
        s.record("r#a:1", D2, List.of());
        assertEquals(D2, s.find("r#a:1").orElseThrow().digest());
    }

    @Test
    void removingTheLastReferenceDeletesTheImageButASharedOneStays() throws IOException {
        ImageStore s = store();
        Files.write(s.imageFile(D1), new byte[1]);
        ImageConfig.empty().writeBeside(s.imageFile(D1));
        s.record("r#a:1", D1, List.of());
        s.record("r#a:latest", D1, List.of());
        s.remove(e -> e.reference().equals("r#a:1"));
        assertTrue(Files.exists(s.imageFile(D1)));
        s.remove(e -> e.reference().equals("r#a:latest"));
        assertFalse(Files.exists(s.imageFile(D1)));
        assertFalse(Files.exists(ImageConfig.sidecarOf(s.imageFile(D1))));
        assertTrue(s.entries().isEmpty());
    }

    @Test
    void pruneDropsUnreferencedBlobsAndUnusedImages() throws IOException {
        ImageStore s = store();
        Files.write(s.imageFile(D1), new byte[10]);
        s.record("r#a:1", D1, List.of("sha256:" + "a".repeat(64)));
        BlobCache blobs = s.blobs();
        Files.createDirectories(blobs.directory());
        Files.write(blobs.path("sha256:" + "a".repeat(64)), new byte[5]);
        Files.write(blobs.path("sha256:" + "b".repeat(64)), new byte[7]);
        new StorePruner(s).prune(-1);
        assertTrue(blobs.contains("sha256:" + "a".repeat(64)));
        assertFalse(blobs.contains("sha256:" + "b".repeat(64)));
        new StorePruner(s).prune(0);
        assertTrue(s.entries().isEmpty());
        assertFalse(Files.exists(s.imageFile(D1)));
    }
}
