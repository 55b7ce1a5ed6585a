package io.slipway.runtime;

import io.slipway.image.ImportedImage;

/**
 * Turns an image reference (an EDF {@code image} or {@code --image}) into an image ready to
 * start. Registry references plug in here once image import exists; {@link SquashfsFileImages}
 * handles squashfs files.
 */
public interface ImageResolver {
    ImportedImage resolve(String reference);
}
