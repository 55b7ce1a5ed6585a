package io.slipway.image.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A login and its secret. {@link #toString()} never shows the secret. */
public record Credential(String login, String secret, String origin) {

    /** The value of an {@code Authorization: Basic} header. */
    String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((login + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credential[login=" + login + ", from " + origin + "]";
    }
}
