package io.slipway.edf;

import java.util.Map;
import java.util.Optional;

/**
 * What {@code ${VAR}} may refer to: the host environment and the image environment, the image
 * winning (seed: "variables from the image taking precedence"). At submission time the image is
 * not known yet and its map is empty.
 */
public record Variables(Map<String, String> host, Map<String, String> image) {

    public Variables {
        host = Map.copyOf(host);
        image = Map.copyOf(image);
    }

    public static Variables ofHost(Map<String, String> host) {
        return new Variables(host, Map.of());
    }

    Optional<String> get(String name) {
        String value = image.get(name);
        return Optional.ofNullable(value != null ? value : host.get(name));
    }
}
