package io.slipway.image.registry;

import io.slipway.image.Descriptor;
import io.slipway.image.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The one entry to a registry for one repository: it authenticates (anonymous, Bearer token
 * from the {@code WWW-Authenticate} challenge, Basic), refreshes a token on 401, follows
 * redirects without leaking credentials to other hosts, and delegates each endpoint to its class
 * ({@link ManifestPuller}, {@link BlobPuller}, {@link TokenFetcher}). Thread-safe: blobs are
 * pulled in parallel through one instance.
 */
public final class RegistryClient {

    /** Transfer policy: attempts per request and the first backoff delay (doubled each time). */
    public record Settings(int attempts, Duration backoff, Duration readTimeout) {
        public static final Settings DEFAULT = new Settings(5, Duration.ofMillis(500), Duration.ofSeconds(60));
    }

    /** A fetched manifest or index: its bytes, content type and digest (sha256 of the bytes). */
    public record FetchedManifest(byte[] body, String contentType, String digest) {}

    private final RegistryHttp http;
    private final ImageReference image;
    private final String base;
    private final Supplier<CredentialStore> credentialSource;
    private CredentialStore credentials;
    private final Settings settings;
    private volatile String authorization;

    public RegistryClient(RegistryHttp http, ImageReference image, boolean insecure, CredentialStore credentials,
            Settings settings) {
        this(http, image, insecure, () -> credentials, settings);
    }

    /**
     * {@code credentials} is asked on the first 401 only: an anonymous pull (and a warm import
     * of a public image) never reads the user's credential files.
     */
    public RegistryClient(RegistryHttp http, ImageReference image, boolean insecure,
            Supplier<CredentialStore> credentials, Settings settings) {
        this.http = http;
        this.image = image;
        this.base = (insecure ? "http://" : "https://") + image.registry() + "/v2/" + image.repository();
        this.credentialSource = credentials;
        this.settings = settings;
    }

    private synchronized CredentialStore credentials() {
        if (credentials == null) {
            credentials = credentialSource.get();
        }
        return credentials;
    }

    public ImageReference image() {
        return image;
    }

    /** The manifest or index that {@code reference} (a tag or a digest) names. */
    public FetchedManifest pullManifest(String reference) {
        return retrying("manifest " + reference, () -> new ManifestPuller(this, reference).pull());
    }

    /**
     * Downloads blob {@code blob} into {@code target} (created or replaced), verifying its digest
     * while it streams; retried with backoff and resumed with HTTP Range after a broken transfer.
     * {@code progress} gets the count of each write once it is in {@code target}, and minus the
     * count so far when the download starts again from zero (a registry ignoring Range).
     */
    public void pullBlob(Descriptor blob, Path target, LongConsumer progress) {
        new BlobPuller(this, blob, target, progress).pull();
    }

    URI uri(String path) {
        return URI.create(base + path);
    }

    Settings settings() {
        return settings;
    }

    String describe() {
        return image.registry() + "#" + image.repository();
    }

    /**
     * Sends a GET with {@code headers}, authenticating once on 401 and following up to five
     * redirects (credentials only to the registry's own host). The caller closes the body.
     */
    HttpResponse<InputStream> get(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        boolean authenticated = false;
        URI current = uri;
        for (int hop = 0; hop < 8; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(current).GET().timeout(settings.readTimeout());
            headers.forEach(req::header);
            String auth = authorization;
            boolean sameHost = sameOrigin(current, uri);
            if (auth != null && sameHost) {
                req.header("Authorization", auth);
            }
            HttpResponse<InputStream> resp = http.forUri(current).send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = resp.statusCode();
            if (status == 401 && sameHost && !authenticated) {
                List<String> challenges = resp.headers().allValues("WWW-Authenticate");
                resp.body().close();
                authenticate(challenges, auth);
                authenticated = true;
                continue;
            }
            if (status >= 300 && status < 400 && resp.headers().firstValue("Location").isPresent()) {
                resp.body().close();
                current = current.resolve(resp.headers().firstValue("Location").get());
                continue;
            }
            return resp;
        }
        throw new RegistryException(describe() + ": too many redirects");
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equals(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    /** Answers a 401; {@code failed} is the Authorization that was refused (null for none). */
    private synchronized void authenticate(List<String> headers, String failed) throws IOException, InterruptedException {
        if (authorization != null && !authorization.equals(failed)) {
            return; // Another thread refreshed it meanwhile.
        }
        Credential credential = credentials().find(image.registry(), image.user()).orElse(null);
        for (String header : headers) {
            for (AuthChallenge c : AuthChallenge.parse(header)) {
                if (c.scheme().equals("bearer")) {
                    String realmHost = URI.create(c.param("realm")).getHost();
                    Credential forRealm = credential;
                    if (realmHost != null) {
                        forRealm = credentials().find(realmHost, image.user()).orElse(credential);
                    }
                    authorization = "Bearer " + new TokenFetcher(this, c, forRealm).fetch();
                    return;
                }
                if (c.scheme().equals("basic")) {
                    if (credential == null) {
                        throw new RegistryException(describe() + ": the registry requires a login and no credentials "
                                + "were found for " + image.registry() + loginHint());
                    }
                    if (credential.basicHeader().equals(failed)) {
                        throw denied(credential);
                    }
                    authorization = credential.basicHeader();
                    return;
                }
            }
        }
        if (failed != null) {
            throw denied(credential);
        }
        throw new RegistryException(describe() + ": the registry answered 401 without a supported challenge");
    }

    RegistryException denied(Credential known) {
        Credential credential = known != null ? known : credentials().find(image.registry(), image.user()).orElse(null);
        return new RegistryException(describe() + ": access denied"
                + (credential == null ? " for anonymous pulls; add credentials for " + image.registry() + loginHint()
                        : " for login '" + credential.login() + "' (from " + credential.origin() + ")"));
    }

    private String loginHint() {
        return " to ~/.config/enroot/.credentials (machine " + image.host() + " login USER password SECRET)";
    }

    HttpClient http(URI uri) {
        return http.forUri(uri);
    }

    /** Runs {@code action} with the retry policy: connection errors and 5xx are retried. */
    <T> T retrying(String what, IoAction<T> action) {
        long delay = settings.backoff().toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                return action.run();
            } catch (RegistryException e) {
                if (!e.retryable() || attempt >= settings.attempts()) {
                    throw e;
                }
            } catch (IOException e) {
                if (attempt >= settings.attempts()) {
                    String why = e instanceof ConnectException ? "cannot connect" : e.toString();
                    throw new RegistryException(describe() + ": " + what + ": " + why + " (after " + attempt
                            + " attempts)", false, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(describe() + ": interrupted", false, e);
            }
            sleep(delay);
            delay = Math.min(delay * 2, 8000);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted", false, e);
        }
    }

    /** Whether {@code status} is worth another try. */
    static boolean transientStatus(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    @FunctionalInterface
    interface IoAction<T> {
        T run() throws IOException, InterruptedException;
    }
}
