package io.slipway.config;

import io.slipway.posix.FileSignature;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where Slipway is installed, derived from the location of its jar
 * ({@code PREFIX/share/slipway/slipway.jar}), so a relocated tree (build/ or any make install
 * PREFIX) finds its configuration, native library and helpers without being told.
 */
public record Installation(Path prefix) {

    public static final String JAR_DIR = "share/slipway";

    /** The installation this code runs from, or empty when run from a plain class directory (tests). */
    public static Optional<Installation> current() {
        String override = System.getProperty("slipway.prefix");
        if (override != null && !override.isEmpty()) {
            return Optional.of(new Installation(Path.of(override).toAbsolutePath().normalize()));
        }
        return runningJar().map(Path::getParent).filter(dir -> dir.endsWith(JAR_DIR))
                .map(dir -> new Installation(dir.getParent().getParent()));
    }

    /**
     * Which build of Slipway this is: the stat signature of the jar this code runs from (a plain
     * class directory gives a fixed word). What a cache keeps must not outlive the code that made it.
     */
    public static String buildSignature() {
        return BuildSignature.VALUE;
    }

    private static final class BuildSignature {
        static final String VALUE = runningJar().map(jar -> FileSignature.of(jar).text()).orElse("classes");
    }

    /** The jar this code runs from, or empty for a plain class directory (tests) or an unusual class loader. */
    public static Optional<Path> runningJar() {
        try {
            var source = Installation.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path jar = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
            return Files.isRegularFile(jar) && jar.getParent() != null ? Optional.of(jar) : Optional.empty();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code /etc} for a {@code /usr} install (the FHS rule), {@code PREFIX/etc} otherwise. */
    public Path sysconfdir() {
        return prefix.equals(Path.of("/usr")) ? Path.of("/etc") : prefix.resolve("etc");
    }

    public Path defaultConfigFile() {
        return sysconfdir().resolve("slipway/slipway.toml");
    }

    public Path nativeLibrary() {
        return prefix.resolve("lib/slipway/libslipway.so");
    }

    public Path libexecDir() {
        return prefix.resolve("libexec/slipway");
    }
}
