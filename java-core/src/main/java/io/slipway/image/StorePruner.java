package io.slipway.image;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Frees space in a store: images unused for a number of days, cached layers that no indexed
 * image (of any architecture) lists, images missing from the index, and temporaries of killed
 * imports whose lock nobody holds. Fresh files are left alone so a concurrent import is safe.
 */
public final class StorePruner {

    private static final Duration GRACE = Duration.ofMinutes(10);

    private final ImageStore store;

    public StorePruner(ImageStore store) {
        this.store = store;
    }

    /** Prunes; {@code unusedDays} negative keeps every indexed image. Returns the bytes freed. */
    public long prune(int unusedDays) {
        long[] freed = {0};
        if (unusedDays >= 0) {
            Instant limit = Instant.now().minus(Duration.ofDays(unusedDays));
            store.remove(e -> unusedDays == 0 || Instant.parse(e.lastUsed()).isBefore(limit)).forEach(e -> {
                if (e.size() > 0) {
                    freed[0] += e.size();
                }
            });
        }
        Set<String> indexedFiles = new HashSet<>();
        store.entries().forEach(e -> indexedFiles.add(e.file()));
        Instant fresh = Instant.now().minus(GRACE);
        for (Path p : list(store.directory())) {
            String n = p.getFileName().toString();
            if (n.startsWith(".tmp-") && n.endsWith(".sqsh")) {
                String digest = n.substring(".tmp-".length(), n.lastIndexOf('-')).replaceFirst("-", ":");
                try {
                    FileLock lock = store.lockImage(digest, () -> { });
                    try {
                        freed[0] += delete(p);
                    } finally {
                        ImageStore.unlock(lock);
                    }
                } catch (IOException ignored) {
                    // Someone is importing it; leave it.
                }
            } else if (n.endsWith(".sqsh") && !indexedFiles.contains(n) && olderThan(p, fresh)) {
                freed[0] += delete(p) + delete(ImageConfig.sidecarOf(p));
            }
        }
        Set<String> layers = new HashSet<>();
        for (Path arch : list(store.root())) {
            if (Files.isRegularFile(arch.resolve("index.json"))) {
                new ImageStore(store.root(), arch.getFileName().toString()).entries().forEach(e -> layers.addAll(e.layers()));
            }
        }
        BlobCache blobs = store.blobs();
        for (Path p : list(blobs.directory())) {
            String n = p.getFileName().toString();
            boolean needed = layers.contains("sha256:" + n);
            if (!needed && olderThan(p, n.startsWith(".") ? fresh : Instant.now())) {
                freed[0] += delete(p);
            }
        }
        return freed[0];
    }

    private static boolean olderThan(Path p, Instant t) {
        try {
            return !Files.getLastModifiedTime(p).toInstant().isAfter(t);
        } catch (IOException e) {
            return false;
        }
    }

    private static long delete(Path p) {
        try {
            long size = Files.size(p);
            Files.deleteIfExists(p);
            return size;
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
