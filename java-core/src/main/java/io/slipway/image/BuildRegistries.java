package io.slipway.image;

import java.util.List;

/**
 * The registries.conf a build runs with (through {@code CONTAINERS_REGISTRIES_CONF}): Slipway's
 * {@code insecure_registries} reached without TLS checks, as Slipway's own pulls reach them, and
 * short names searched on Docker Hub, as Slipway's references default to it.
 */
final class BuildRegistries {

    private BuildRegistries() {}

    static String conf(List<String> insecure) {
        StringBuilder out = new StringBuilder("unqualified-search-registries = [\"docker.io\"]\n");
        for (String host : insecure) {
            out.append("\n[[registry]]\nlocation = ").append(quoted(host)).append("\ninsecure = true\n");
        }
        return out.toString();
    }

    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
