package io.slipway.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The administrator's image import settings (keys {@code image_*} of the configuration file).
 *
 * @param parallelDownloads layers downloaded at once ({@code image_parallel_downloads})
 * @param transferAttempts tries per registry request before giving up ({@code image_transfer_attempts})
 * @param caFile extra trusted CA certificates (PEM) beside the system store ({@code image_ca_file})
 * @param compression squashfs compression {@code NAME[:LEVEL]} ({@code image_compression})
 * @param builder buildah or podman, by name on PATH or absolute ({@code image_builder})
 * @param store the image store when the user sets neither EDF_IMAGESTORE nor SCRATCH
 *     ({@code image_store}): an absolute path that may name {@code ${USER}}, {@code ${HOME}} or
 *     {@code ${UID}}; empty for cache-free imports
 */
public record ImageSettings(int parallelDownloads, int transferAttempts, Optional<Path> caFile, String compression,
        String builder, Optional<String> store) {

    public static final ImageSettings DEFAULTS = new ImageSettings(6, 5, Optional.empty(), "zstd:1", "buildah",
            Optional.empty());

    public ImageSettings(int parallelDownloads, int transferAttempts, Optional<Path> caFile, String compression,
            String builder) {
        this(parallelDownloads, transferAttempts, caFile, compression, builder, Optional.empty());
    }
}
