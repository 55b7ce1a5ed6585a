package io.slipway.image.registry;

import io.slipway.image.ManifestDocument;
import io.slipway.posix.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Map;

/** GET /v2/REPO/manifests/REF with every supported manifest type accepted; digest checked when pinned. */
final class ManifestPuller {

    private static final int LIMIT = 4 << 20;

    private final RegistryClient client;
    private final String reference;

    ManifestPuller(RegistryClient client, String reference) {
        this.client = client;
        this.reference = reference;
    }

    RegistryClient.FetchedManifest pull() throws IOException, InterruptedException {
        HttpResponse<InputStream> resp = client.get(client.uri("/manifests/" + reference),
                Map.of("Accept", ManifestDocument.ACCEPT));
        byte[] body;
        try (InputStream in = resp.body()) {
            body = in.readNBytes(LIMIT + 1);
        }
        int status = resp.statusCode();
        if (status == 404) {
            throw new RegistryException(client.describe() + ":" + reference + ": not found in the registry "
                    + "(no such repository, tag or digest)");
        }
        if (status == 401 || status == 403) {
            throw client.denied(null);
        }
        if (status != 200) {
            throw new RegistryException(client.describe() + ": manifest " + reference + ": registry answered HTTP "
                    + status, RegistryClient.transientStatus(status), null);
        }
        if (body.length > LIMIT) {
            throw new RegistryException(client.describe() + ": manifest " + reference + " is larger than 4 MiB");
        }
        String digest = Sha256.ociDigestOf(body);
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
            throw new RegistryException(client.describe() + ": manifest " + reference + " has digest " + digest
                    + ": the registry sent other content than asked for");
        }
        return new RegistryClient.FetchedManifest(body, resp.headers().firstValue("Content-Type").orElse(""), digest);
    }
}
