package io.slipway.runtime;

import io.slipway.image.ImportedImage;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns an image reference (an EDF {@code image} or {@code --image}) into an image ready to
 * start: {@code slipway run} passes the image store ({@link io.slipway.image.ImageService}), which
 * takes squashfs files as they are, imports registry references, and builds a missing squashfs
 * file from the EDF's {@code containerfile} when there is one.
 */
public interface ImageResolver {
    ImportedImage resolve(String reference, Optional<Path> containerfile);
}
