package io.slipway.runtime;

import io.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The runtime's settings: the configuration file's keys, then the Enroot variables that make sense
 * here (an Enroot variable set in the environment wins, as in Enroot; a false-like value such as
 * {@code no}, {@code false} or {@code 0} counts as unset).
 *
 * @param runtimeDir where per-container working directories go
 * @param configDirs Enroot-style configuration directories holding hooks.d, mounts.d, environ.d:
 *     the system one, then the user's
 * @param remapRoot map the user to root inside ({@code ENROOT_REMAP_ROOT})
 * @param writable force a writable root filesystem ({@code ENROOT_ROOTFS_WRITABLE}), or null
 * @param nativeOverlay use the kernel's overlayfs, else fuse-overlayfs ({@code ENROOT_NATIVE_OVERLAYFS})
 * @param libexec the directory of the C helpers
 */
public record RuntimeSettings(Path runtimeDir, List<Path> configDirs, boolean remapRoot, Boolean writable,
        boolean nativeOverlay, List<String> siteMounts, List<Path> hooksDirs, Path libexec) {

    private static final Set<String> FALSE = Set.of("", "0", "n", "no", "f", "false", "off");

    public static RuntimeSettings of(SlipwayConfig config, Map<String, String> env, int uid, Path libexec) {
        Path runtime = env.containsKey("ENROOT_RUNTIME_PATH") && !env.get("ENROOT_RUNTIME_PATH").isEmpty()
                ? Path.of(env.get("ENROOT_RUNTIME_PATH"))
                : config.runtimePath().orElseGet(() -> {
                    String xdg = env.get("XDG_RUNTIME_DIR");
                    return xdg != null && !xdg.isEmpty() ? Path.of(xdg, "slipway") : Path.of("/tmp", "slipway-" + uid);
                });
        String home = env.getOrDefault("HOME", "/");
        Path userConfig = env.containsKey("ENROOT_CONFIG_PATH") ? Path.of(env.get("ENROOT_CONFIG_PATH"))
                : Path.of(env.getOrDefault("XDG_CONFIG_HOME", home + "/.config"), "enroot");
        List<Path> dirs = config.enrootSysconfPath().map(p -> List.of(p, userConfig)).orElse(List.of(userConfig));
        Boolean writable = env.containsKey("ENROOT_ROOTFS_WRITABLE") ? truthy(env, "ENROOT_ROOTFS_WRITABLE") : null;
        boolean nativeOverlay = !env.containsKey("ENROOT_NATIVE_OVERLAYFS") || truthy(env, "ENROOT_NATIVE_OVERLAYFS");
        return new RuntimeSettings(runtime.toAbsolutePath(), dirs, truthy(env, "ENROOT_REMAP_ROOT"), writable,
                nativeOverlay, config.siteMounts(), config.hooksDirs(), libexec);
    }

    /** Enroot's rule: a variable is on when set to anything but a false-like word. */
    public static boolean truthy(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !FALSE.contains(v.toLowerCase(Locale.ROOT));
    }

    public Path helper(String name) {
        return libexec.resolve("slipway-" + name);
    }
}
