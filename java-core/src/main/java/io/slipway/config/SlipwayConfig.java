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
 */
public record SlipwayConfig(
        Optional<Path> file,
        List<Path> edfSystemSearchPath,
        List<String> insecureRegistries,
        List<Path> hooksDirs) {

    public SlipwayConfig {
        edfSystemSearchPath = List.copyOf(edfSystemSearchPath);
        insecureRegistries = List.copyOf(insecureRegistries);
        hooksDirs = List.copyOf(hooksDirs);
    }
}
