package io.slipway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The administrator's settings.
 *
 * @param file the file these came from, empty when defaults are in use
 * @param edfSystemSearchPath directories holding system-wide EDFs, searched after the user's
 * @param insecureRegistries {@code host[:port]} of registries reached over plain HTTP
 * @param hooksDirs directories of OCI hook JSON files, read in order
 * @param image image import settings
 */
public record SlipwayConfig(
        Optional<Path> file,
        List<Path> edfSystemSearchPath,
        List<String> insecureRegistries,
        List<Path> hooksDirs,
        ImageSettings image) {

    /** The settings with image defaults (callers that predate the image keys). */
    public SlipwayConfig(Optional<Path> file, List<Path> edfSystemSearchPath, List<String> insecureRegistries,
            List<Path> hooksDirs) {
        this(file, edfSystemSearchPath, insecureRegistries, hooksDirs, ImageSettings.DEFAULTS);
    }

    public SlipwayConfig {
        image = image == null ? ImageSettings.DEFAULTS : image;
        edfSystemSearchPath = List.copyOf(edfSystemSearchPath);
        insecureRegistries = List.copyOf(insecureRegistries);
        hooksDirs = List.copyOf(hooksDirs);
    }
}
