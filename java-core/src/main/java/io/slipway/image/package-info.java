/**
 * Container images: references, registry pulls, the layer cache, squashing into a squashfs file
 * and the image store. It produces an {@link io.slipway.image.ImportedImage} and never starts a
 * container.
 */
package io.slipway.image;
