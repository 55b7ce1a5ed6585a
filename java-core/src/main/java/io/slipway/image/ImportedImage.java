package io.slipway.image;

import io.slipway.posix.FileTrees;
import java.nio.file.Path;

/** An image ready to start: its squashfs file and its configuration. */
public record ImportedImage(Path squashfs, ImageConfig config) {

    /** Directory-name prefix of cache-free (per-step) images. */
    public static final String EPHEMERAL_PREFIX = "slipway-ephemeral-";

    /** Whether this image was pulled in cache-free mode and belongs to the current step only. */
    public boolean ephemeral() {
        Path dir = squashfs.getParent();
        return dir != null && dir.getFileName() != null
                && dir.getFileName().toString().startsWith(EPHEMERAL_PREFIX);
    }

    /** Deletes a cache-free image (call when the step ends); does nothing for a stored image. */
    public void discardIfEphemeral() {
        if (ephemeral()) {
            FileTrees.deleteQuietly(squashfs.getParent());
        }
    }
}
