package io.slipway.edf;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code ${VAR}} may refer to: the host environment and the image environment, the image
 * winning (seed: "variables from the image taking precedence"). At submission time the image is
 * not known yet and its map is empty.
 */
public record Variables(Map<String, String> host, Map<String, String> image, Set<String> deferred) {

    public Variables {
        host = Map.copyOf(host);
        image = Map.copyOf(image);
    }

    public Variables(Map<String, String> host, Map<String, String> image) {
        this(host, image, null);
    }

    public static Variables ofHost(Map<String, String> host) {
        return new Variables(host, Map.of());
    }

    /**
     * Host variables at submission, when the image is not known: a name the host lacks may be
     * the image's, so it expands to "" and is recorded in {@code deferred} instead of failing.
     */
    static Variables deferringUnknown(Map<String, String> host, Set<String> deferred) {
        return new Variables(host, Map.of(), deferred);
    }

    Optional<String> get(String name) {
        String value = image.get(name);
        if (value == null) {
            value = host.get(name);
        }
        if (value == null && deferred != null) {
            deferred.add(name);
            return Optional.of("");
        }
        return Optional.ofNullable(value);
    }
}
