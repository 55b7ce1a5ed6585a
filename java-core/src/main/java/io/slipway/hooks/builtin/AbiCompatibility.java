package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How closely a host library must match the image's library it replaces: the MPI hook's
 * {@code MPI_COMPATIBILITY_TYPE}. All three first need the same linker name and the same MAJOR.
 * <ul>
 * <li>{@code major} (the default): the same MAJOR is enough;
 * <li>{@code full}: the host's MINOR must also be at least the image's; with a lower one the
 *     library is still replaced, with a warning that symbols only the image's library has may be
 *     missing;
 * <li>{@code strict}: the same MAJOR and MINOR ({@code 12} and {@code 12.0} differ).
 * </ul>
 */
public enum AbiCompatibility {
    MAJOR, FULL, STRICT;

    /** A verdict: compatible or not, and a warning for the user. */
    public record Verdict(boolean compatible, Optional<String> warning) {}

    /** The type named by {@code text} (any case); empty or null means {@link #MAJOR}. */
    public static AbiCompatibility parse(String text, String where) {
        if (text == null || text.isBlank()) {
            return MAJOR;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SlipwayException(where + ": MPI_COMPATIBILITY_TYPE must be major, full or strict, not '" + text + "'");
        }
    }

    public Verdict check(SharedLibrary host, SharedLibrary image) {
        boolean sameMajor = host.linkerName().equals(image.linkerName()) && host.major().isPresent()
                && host.major().equals(image.major());
        if (!sameMajor) {
            return new Verdict(false, Optional.empty());
        }
        return switch (this) {
            case MAJOR -> new Verdict(true, Optional.empty());
            case STRICT -> new Verdict(host.minor().equals(image.minor()), Optional.empty());
            case FULL -> minorAtLeast(host, image) ? new Verdict(true, Optional.empty())
                    : new Verdict(true, Optional.of("Partial ABI compatibility detected: the host's " + host.fileName()
                            + " (" + host.versionText() + ") is older than the image's " + image.path() + " ("
                            + image.versionText() + "); applications are likely to fail if they use symbols which "
                            + "are only present in the image's library"));
        };
    }

    /** host.minor >= image.minor, a missing minor being less than any. */
    static boolean minorAtLeast(SharedLibrary host, SharedLibrary image) {
        if (image.minor().isEmpty()) {
            return true;
        }
        return host.minor().isPresent() && host.minor().get() >= image.minor().get();
    }

    /**
     * The image library a host library should replace, among the image's libraries of its linker
     * name: the one of exactly its version, else the newest not newer than it, else the oldest
     * newer one (compared number by number, so 2.10 is newer than 2.2).
     */
    public static Optional<SharedLibrary> bestMatch(SharedLibrary host, List<SharedLibrary> candidates) {
        Comparator<SharedLibrary> byVersion = (a, b) -> SharedLibrary.compareVersions(a.version(), b.version());
        Optional<SharedLibrary> notNewer = candidates.stream()
                .filter(c -> SharedLibrary.compareVersions(c.version(), host.version()) <= 0).max(byVersion);
        return notNewer.isPresent() ? notNewer : candidates.stream().min(byVersion);
    }
}
