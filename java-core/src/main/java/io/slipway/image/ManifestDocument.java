package io.slipway.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed manifest or index (OCI or Docker schema 2). {@link #isIndex()} tells which; an image
 * manifest has a config and layers (bottom first), an index has platform entries.
 */
public record ManifestDocument(String mediaType, Descriptor config, List<Descriptor> layers, List<Descriptor> manifests) {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** What a registry is asked for, most wanted first. */
    public static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);


    public ManifestDocument {
        layers = List.copyOf(layers);
        manifests = List.copyOf(manifests);
    }

    /** Parses {@code body}; {@code contentType} (may be empty) is used when the body has no mediaType. */
    public static ManifestDocument parse(byte[] body, String contentType, String where) {
        JsonNode root;
        try {
            root = Json.read(body);
        } catch (IOException e) {
            throw new SlipwayException(where + ": the manifest is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SlipwayException(where + ": the manifest is not a JSON object");
        }
        if (root.path("schemaVersion").asInt() == 1) {
            throw new SlipwayException(where + ": Docker schema 1 manifests are not supported; push the image again "
                    + "with a current client");
        }
        String type = root.path("mediaType").asText("");
        if (type.isEmpty() && contentType != null) {
            type = contentType.split(";")[0].strip();
        }
        boolean index = type.equals(OCI_INDEX) || type.equals(DOCKER_LIST)
                || (type.isEmpty() || type.equals("application/json")) && root.has("manifests");
        List<Descriptor> manifests = new ArrayList<>();
        List<Descriptor> layers = new ArrayList<>();
        Descriptor config = null;
        if (index) {
            for (JsonNode m : root.path("manifests")) {
                manifests.add(Descriptor.of(m, where));
            }
            type = type.equals(DOCKER_LIST) ? DOCKER_LIST : OCI_INDEX;
        } else {
            if (!root.has("config")) {
                throw new SlipwayException(where + ": unsupported manifest type '" + type + "'");
            }
            config = Descriptor.of(root.get("config"), where);
            for (JsonNode l : root.path("layers")) {
                layers.add(Descriptor.of(l, where));
            }
            type = type.equals(DOCKER_MANIFEST) ? DOCKER_MANIFEST : OCI_MANIFEST;
        }
        return new ManifestDocument(type, config, layers, manifests);
    }

    public boolean isIndex() {
        return config == null;
    }
}
