package io.slipway.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.SlipwayException;

/**
 * An OCI content descriptor: what a manifest or index says about a blob.
 *
 * @param platform the platform of an index entry, or null elsewhere
 */
public record Descriptor(String mediaType, String digest, long size, Platform platform) {

    static Descriptor of(JsonNode node, String where) {
        String digest = node.path("digest").asText("");
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new SlipwayException(where + ": unsupported or missing digest '" + digest + "'");
        }
        Platform platform = null;
        JsonNode p = node.get("platform");
        if (p != null && p.isObject()) {
            platform = new Platform(p.path("os").asText(""), p.path("architecture").asText(""),
                    p.path("variant").asText(""));
        }
        return new Descriptor(node.path("mediaType").asText(""), digest, node.path("size").asLong(-1), platform);
    }

    /** The hex part of the digest: the blob's file name in caches. */
    public String hex() {
        return digest.substring(digest.indexOf(':') + 1);
    }
}
