package io.slipway.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.slipway.posix.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A loopback registry serving one tiny image ({@code train/img:1}), for
 * {@code cds-training.sh}: importing from it while the JVM records its class list puts the
 * registry client, the HTTP stack and the squashing classes into the class-data-sharing
 * archive, which takes about a fifth off a warm import. Prints its port, then serves until
 * its standard input closes. Not a user command.
 */
final class CdsTrainingRegistry {

    private CdsTrainingRegistry() {}

    public static void main(String[] args) throws IOException {
        Map<String, byte[]> blobs = new HashMap<>();
        byte[] layer = layer();
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"],"
                + "\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
                .getBytes(StandardCharsets.UTF_8);
        String layerDigest = Sha256.ociDigestOf(layer);
        String configDigest = Sha256.ociDigestOf(config);
        blobs.put(layerDigest, layer);
        blobs.put(configDigest, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layerDigest + "\",\"size\":"
                + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = Sha256.ociDigestOf(manifest);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", ex -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v2/")) {
                send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), null);
            } else if (path.startsWith("/v2/train/img/manifests/")) {
                send(ex, 200, "application/vnd.oci.image.manifest.v1+json", manifest, manifestDigest);
            } else if (path.startsWith("/v2/train/img/blobs/") && blobs.containsKey(path.substring(20))) {
                send(ex, 200, "application/octet-stream", blobs.get(path.substring(20)), path.substring(20));
            } else {
                send(ex, 404, "application/json", "{\"errors\":[]}".getBytes(StandardCharsets.UTF_8), null);
            }
        });
        server.start();
        System.out.println(server.getAddress().getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // Serve until the training script closes our input.
        }
        server.stop(0);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, String digest) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        if (digest != null) {
            ex.getResponseHeaders().set("Docker-Content-Digest", digest);
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!head) {
                out.write(body);
            }
        }
    }

    private static byte[] layer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            byte[] hello = "hello\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry dir = new TarArchiveEntry("bin/");
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            TarArchiveEntry file = new TarArchiveEntry("bin/hello");
            file.setSize(hello.length);
            tar.putArchiveEntry(file);
            tar.write(hello);
            tar.closeArchiveEntry();
            TarArchiveEntry gone = new TarArchiveEntry("bin/.wh.gone");
            tar.putArchiveEntry(gone);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
