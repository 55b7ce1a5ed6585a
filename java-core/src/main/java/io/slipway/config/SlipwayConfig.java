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
 * @param runtimePath where per-container working directories go; empty for the default
 *     ({@code ENROOT_RUNTIME_PATH}, else {@code $XDG_RUNTIME_DIR/slipway}, else {@code /tmp/slipway-UID})
 * @param enrootSysconfPath the system directory of Enroot-style {@code hooks.d}, {@code mounts.d}
 *     and {@code environ.d}
 * @param siteMounts bind mounts every container gets, {@code SRC:DST[:FLAGS]}
 * @param image image import settings
 */
public record SlipwayConfig(
        Optional<Path> file,
        List<Path> edfSystemSearchPath,
        List<String> insecureRegistries,
        List<Path> hooksDirs,
        Optional<Path> runtimePath,
        Optional<Path> enrootSysconfPath,
        List<String> siteMounts,
        ImageSettings image) {

    public SlipwayConfig {
        image = image == null ? ImageSettings.DEFAULTS : image;
        edfSystemSearchPath = List.copyOf(edfSystemSearchPath);
        insecureRegistries = List.copyOf(insecureRegistries);
        hooksDirs = List.copyOf(hooksDirs);
        siteMounts = List.copyOf(siteMounts);
    }

    /** Only the EDF and registry settings; the runtime and image keys at their defaults. */
    public SlipwayConfig(Optional<Path> file, List<Path> edfSystemSearchPath, List<String> insecureRegistries,
            List<Path> hooksDirs) {
        this(file, edfSystemSearchPath, insecureRegistries, hooksDirs, Optional.empty(), Optional.empty(), List.of(),
                ImageSettings.DEFAULTS);
    }
}
