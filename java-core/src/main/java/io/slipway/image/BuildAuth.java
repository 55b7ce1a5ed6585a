package io.slipway.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.image.registry.Credential;
import io.slipway.image.registry.CredentialStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;

/**
 * The auth.json a build gets through {@code --authfile}: for each registry its Containerfile pulls
 * from, the credential Slipway would use itself (Enroot's netrc, docker config.json or containers
 * auth.json). Empty when Slipway knows none, so the builder keeps its own lookup.
 */
final class BuildAuth {


    private BuildAuth() {}

    static Optional<String> authJson(Collection<String> registries, CredentialStore credentials) {
        ObjectNode auths = Json.object();
        for (String registry : registries) {
            // Slipway knows Docker Hub by the host its API lives on.
            String host = registry.equals(BaseImages.DOCKER_HUB) ? "registry-1.docker.io" : registry;
            credentials.find(host, "").ifPresent(c -> auths.putObject(registry).put("auth", basic(c)));
        }
        if (auths.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode root = Json.object();
        root.set("auths", auths);
        return Optional.of(Json.write(root));
    }

    private static String basic(Credential c) {
        return Base64.getEncoder().encodeToString((c.login() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8));
    }
}
