package io.slipway.image;

import java.nio.file.Path;

/** An image ready to start: its squashfs file and its configuration. */
public record ImportedImage(Path squashfs, ImageConfig config) {}
