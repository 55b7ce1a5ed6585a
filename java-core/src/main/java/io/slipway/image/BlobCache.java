package io.slipway.image;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Content-addressed blobs ({@code DIR/sha256/HEX}), shared by every image of the store. A blob
 * is written to a temporary name and renamed into place only once its digest was verified, so
 * a reader never sees a partial blob and concurrent writers of one digest are harmless (the
 * contents are equal by construction).
 */
public final class BlobCache {

    /** Writes a verified blob to {@code temp}. */
    @FunctionalInterface
    public interface Writer {
        void write(Path temp);
    }

    private final Path dir;

    public BlobCache(Path root) {
        this.dir = root.resolve("sha256");
    }

    public Path path(String digest) {
        return dir.resolve(digest.substring(digest.indexOf(':') + 1));
    }

    public boolean contains(String digest) {
        return Files.isRegularFile(path(digest));
    }

    /** The cached blob, written first by {@code writer} when missing. */
    public Path get(String digest, Writer writer) {
        Path target = path(digest);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        Unfinished.add(temp);
        try {
            Files.createDirectories(dir);
            writer.write(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new SlipwayException("cannot store blob " + digest + " in " + dir + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Left for prune.
            }
            Unfinished.done(temp);
        }
    }

    public Path directory() {
        return dir;
    }
}
