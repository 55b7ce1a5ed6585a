package io.slipway.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** The token endpoint of a Bearer challenge: GET realm?service=..&scope=.., Basic credentials if any. */
final class TokenFetcher {


    private final RegistryClient client;
    private final AuthChallenge challenge;
    private final Credential credential;

    TokenFetcher(RegistryClient client, AuthChallenge challenge, Credential credential) {
        this.client = client;
        this.challenge = challenge;
        this.credential = credential;
    }

    String fetch() throws IOException, InterruptedException {
        String realm = challenge.param("realm");
        if (realm.isEmpty()) {
            throw new RegistryException(client.describe() + ": Bearer challenge without a realm");
        }
        String scope = challenge.param("scope");
        if (scope.isEmpty()) {
            scope = "repository:" + client.image().repository() + ":pull";
        }
        StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        if (!challenge.param("service").isEmpty()) {
            q.append("service=").append(URLEncoder.encode(challenge.param("service"), StandardCharsets.UTF_8)).append('&');
        }
        q.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        URI tokenUri = URI.create(q.toString());
        HttpRequest.Builder req = HttpRequest.newBuilder(tokenUri).GET()
                .timeout(client.settings().readTimeout());
        if (credential != null) {
            req.header("Authorization", credential.basicHeader());
        }
        HttpResponse<InputStream> resp = client.http(tokenUri).send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] body;
        try (InputStream in = resp.body()) {
            body = in.readNBytes(1 << 20);
        }
        if (resp.statusCode() == 401 || resp.statusCode() == 403) {
            throw client.denied(credential);
        }
        if (resp.statusCode() != 200) {
            throw new RegistryException(client.describe() + ": token service " + URI.create(realm).getHost()
                    + " answered HTTP " + resp.statusCode(), RegistryClient.transientStatus(resp.statusCode()), null);
        }
        JsonNode json = Json.read(body);
        String token = json.path("token").asText("");
        if (token.isEmpty()) {
            token = json.path("access_token").asText("");
        }
        if (token.isEmpty()) {
            throw new RegistryException(client.describe() + ": the token service returned no token");
        }
        return token;
    }
}
