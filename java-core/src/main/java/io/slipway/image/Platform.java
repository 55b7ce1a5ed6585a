package io.slipway.image;

import io.slipway.SlipwayException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An OCI platform ({@code os}/{@code architecture}[/{@code variant}]). The node's platform picks
 * one manifest from an index; {@link #storeDirectory()} names the image store subdirectory as in
 * the CSCS documentation ({@code x86}, {@code aarch64}).
 *
 * @param variant empty when unspecified
 */
public record Platform(String os, String architecture, String variant) {

    public Platform {
        variant = variant == null ? "" : variant;
    }

    /** The platform of a machine whose {@code os.arch} / {@code uname -m} is {@code machine}. */
    public static Platform ofMachine(String machine) {
        String m = machine.toLowerCase(Locale.ROOT);
        return switch (m) {
            case "amd64", "x86_64" -> new Platform("linux", "amd64", "");
            case "aarch64", "arm64" -> new Platform("linux", "arm64", "");
            case "ppc64le" -> new Platform("linux", "ppc64le", "");
            case "s390x" -> new Platform("linux", "s390x", "");
            case "riscv64" -> new Platform("linux", "riscv64", "");
            default -> throw new SlipwayException("unsupported machine architecture '" + machine + "'");
        };
    }

    public static Platform ofThisMachine() {
        return ofMachine(System.getProperty("os.arch"));
    }

    /** Parses {@code os/arch[/variant]} or a bare architecture (Linux assumed). */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        return switch (parts.length) {
            case 1 -> ofMachine(parts[0]);
            case 2 -> new Platform(parts[0], ofMachine(parts[1]).architecture(), "");
            case 3 -> new Platform(parts[0], ofMachine(parts[1]).architecture(), parts[2]);
            default -> throw new SlipwayException("invalid platform '" + text + "': expected os/arch[/variant]");
        };
    }

    /** Whether an index entry for {@code candidate} can run here; an unspecified variant matches. */
    public boolean accepts(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
            return false;
        }
        if (variant.isEmpty() || candidate.variant.isEmpty()) {
            return true;
        }
        return variant.equals(candidate.variant)
                || (architecture.equals("arm64") && variant.equals("v8") && candidate.variant.equals("v8"));
    }

    /** The image store subdirectory for images of this platform. */
    public String storeDirectory() {
        return switch (architecture) {
            case "amd64" -> "x86";
            case "arm64" -> "aarch64";
            default -> architecture;
        };
    }

    /**
     * Picks the entry of {@code available} for this platform: an exact variant match first, then
     * one without a variant. Fails listing what the index offers.
     */
    public <T> T select(List<T> available, java.util.function.Function<T, Platform> platformOf, String image) {
        T loose = null;
        List<String> offered = new ArrayList<>();
        for (T entry : available) {
            Platform p = platformOf.apply(entry);
            if (p == null) {
                continue;
            }
            offered.add(p.toString());
            if (accepts(p)) {
                if (!variant.isEmpty() && variant.equals(p.variant)) {
                    return entry;
                }
                if (loose == null) {
                    loose = entry;
                }
            }
        }
        if (loose != null) {
            return loose;
        }
        throw new SlipwayException("image " + image + " has no variant for platform " + this
                + "; available platforms: " + (offered.isEmpty() ? "none" : String.join(", ", offered)));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
