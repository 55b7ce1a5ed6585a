package io.slipway.runtime;

import io.slipway.image.ImportedImage;

/**
 * Turns an image reference (an EDF {@code image} or {@code --image}) into an image ready to
 * start: {@code slipway run} passes the image store ({@link io.slipway.image.ImageService}), which
 * takes squashfs files as they are and imports registry references.
 */
public interface ImageResolver {
    ImportedImage resolve(String reference);
}
