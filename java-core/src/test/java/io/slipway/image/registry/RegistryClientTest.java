package io.slipway.image.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.slipway.image.Descriptor;
import io.slipway.image.ImageReference;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token flow, retries with Range resume and streaming verification, against an in-process HTTP server. */
class RegistryClientTest {

    @TempDir
    Path tmp;

    private HttpServer server;
    private final byte[] blob = new byte[3 << 20];
    private String digest;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        new Random(7).nextBytes(blob);
        digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private RegistryClient client(CredentialStore creds) {
        ImageReference ref = ImageReference.parse("127.0.0.1:" + server.getAddress().getPort() + "/team/app:1");
        return new RegistryClient(new RegistryHttp(Optional.empty(), Map.of(), Duration.ofSeconds(5)), ref, true,
                creds, new RegistryClient.Settings(4, Duration.ofMillis(10), Duration.ofSeconds(5)));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Test
    void bearerTokenIsFetchedWithBasicCredentialsAndUsed() throws IOException {
        int port = server.getAddress().getPort();
        server.createContext("/token", ex -> {
            log.add("token " + ex.getRequestURI().getRawQuery() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            send(ex, 200, "{\"token\":\"T0K\"}".getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/v2/team/app/blobs/", ex -> {
            if (!"Bearer T0K".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + port
                        + "/token\",service=\"test\",scope=\"repository:team/app:pull\"");
                send(ex, 401, new byte[0]);
                return;
            }
            send(ex, 200, blob);
        });
        var creds = CredentialStore.of(Map.of("127.0.0.1", new Credential("alice", "pw", "test")));
        Path out = tmp.resolve("blob");
        client(creds).pullBlob(new Descriptor("", digest, blob.length, null), out, n -> { });
        assertArrayEquals(blob, Files.readAllBytes(out));
        assertEquals(1, log.size());
        assertTrue(log.get(0).contains("service=test"));
        assertTrue(log.get(0).contains("scope=repository%3Ateam%2Fapp%3Apull"));
        assertTrue(log.get(0).endsWith("Basic YWxpY2U6cHc="));
    }

    @Test
    void aBrokenTransferIsResumedWithRange() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/v2/team/app/blobs/", ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            log.add(String.valueOf(range));
            if (calls.getAndIncrement() == 0) {
                ex.sendResponseHeaders(200, blob.length);
                OutputStream os = ex.getResponseBody();
                os.write(blob, 0, 1 << 20);
                os.flush();
                ex.close(); // Dies after 1 MiB.
                return;
            }
            int from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (blob.length - 1) + "/" + blob.length);
            ex.sendResponseHeaders(206, blob.length - from);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(blob, from, blob.length - from);
            }
        });
        Path out = tmp.resolve("blob");
        client(CredentialStore.empty()).pullBlob(new Descriptor("", digest, blob.length, null), out, n -> { });
        assertArrayEquals(blob, Files.readAllBytes(out));
        assertEquals("null", log.get(0));
        assertTrue(log.get(1).startsWith("bytes="), log.toString());
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/v2/team/app/blobs/", ex -> send(ex, calls.getAndIncrement() < 2 ? 503 : 200,
                calls.get() <= 2 ? new byte[0] : blob));
        Path out = tmp.resolve("blob");
        client(CredentialStore.empty()).pullBlob(new Descriptor("", digest, blob.length, null), out, n -> { });
        assertEquals(3, calls.get());
    }

    @Test
    void aDigestMismatchDeletesTheDownloadAndFailsLoudly() {
        byte[] wrong = blob.clone();
        wrong[100] ^= 1;
        server.createContext("/v2/team/app/blobs/", ex -> send(ex, 200, wrong));
        Path out = tmp.resolve("blob");
        var e = assertThrows(RegistryException.class, () -> client(CredentialStore.empty())
                .pullBlob(new Descriptor("", digest, blob.length, null), out, n -> { }));
        assertTrue(e.getMessage().contains("failed verification"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void deniedAccessNamesTheLoginButNeverTheSecret() {
        server.createContext("/v2/team/app/manifests/", ex -> {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"r\"");
            send(ex, 401, new byte[0]);
        });
        var creds = CredentialStore.of(Map.of("127.0.0.1", new Credential("alice", "SECRETPW", "test")));
        var e = assertThrows(RegistryException.class, () -> client(creds).pullManifest("1"));
        assertTrue(e.getMessage().contains("alice"), e.getMessage());
        assertFalse(e.getMessage().contains("SECRETPW"));
    }
}
