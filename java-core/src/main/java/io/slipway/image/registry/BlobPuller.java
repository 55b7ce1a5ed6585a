package io.slipway.image.registry;

import io.slipway.image.Descriptor;
import io.slipway.posix.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * GET /v2/REPO/blobs/DIGEST into a file, hashing while it streams. A broken transfer is retried
 * with backoff and resumed from the bytes already written ({@code Range}) when the registry
 * answers 206; a full answer restarts the hash (progress reports minus the bytes dropped). A
 * digest or size mismatch deletes the file. Progress is reported after the bytes are in the file,
 * which at any moment holds exactly the bytes hashed so far.
 */
final class BlobPuller {

    private final RegistryClient client;
    private final Descriptor blob;
    private final Path target;
    private final LongConsumer progress;

    BlobPuller(RegistryClient client, Descriptor blob, Path target, LongConsumer progress) {
        this.client = client;
        this.blob = blob;
        this.target = target;
        this.progress = progress;
    }

    void pull() {
        try (Sha256 sha = Sha256.create()) {
            pull(sha);
        }
    }

    private void pull(Sha256 sha) {
        long[] written = {0};
        try {
            Files.deleteIfExists(target);
        } catch (IOException e) {
            throw new RegistryException("cannot write " + target + ": " + e.getMessage(), false, e);
        }
        client.retrying("blob " + blob.digest(), () -> {
            transfer(sha, written);
            return null;
        });
        String actual = sha.ociDigest();
        if (!actual.equals(blob.digest()) || (blob.size() >= 0 && written[0] != blob.size())) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // Reported below either way.
            }
            throw new RegistryException(client.describe() + ": layer " + blob.digest() + " failed verification: got "
                    + written[0] + " bytes with digest " + actual + " (expected " + blob.size()
                    + " bytes); the download was deleted");
        }
    }

    private void transfer(Sha256 sha, long[] written) throws IOException, InterruptedException {
        Map<String, String> headers = new HashMap<>();
        if (written[0] > 0) {
            headers.put("Range", "bytes=" + written[0] + "-");
        }
        HttpResponse<InputStream> resp = client.get(client.uri("/blobs/" + blob.digest()), headers);
        int status = resp.statusCode();
        try (InputStream in = resp.body()) {
            if (status == 404) {
                throw new RegistryException(client.describe() + ": layer " + blob.digest() + " is missing from the registry");
            }
            if (status == 401 || status == 403) {
                throw client.denied(null);
            }
            if (status != 200 && status != 206) {
                throw new RegistryException(client.describe() + ": layer " + blob.digest() + ": registry answered HTTP "
                        + status, RegistryClient.transientStatus(status) || status == 416, null);
            }
            boolean append = status == 206 && written[0] > 0;
            if (!append && written[0] > 0) {
                sha.reset();
                progress.accept(-written[0]);
                written[0] = 0;
            }
            try (FileChannel file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                // The file holds exactly the hashed bytes: a write that failed halfway in an
                // earlier attempt is cut off, not appended to (readers follow the file as it grows).
                file.truncate(written[0]);
                file.position(written[0]);
                OutputStream out = Channels.newOutputStream(file);
                byte[] buf = new byte[1 << 17];
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                    written[0] += n;
                    progress.accept(n);
                }
            }
        }
        if (blob.size() >= 0 && written[0] < blob.size()) {
            throw new IOException("connection closed after " + written[0] + " of " + blob.size() + " bytes");
        }
    }
}
