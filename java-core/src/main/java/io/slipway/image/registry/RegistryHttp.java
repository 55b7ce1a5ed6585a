package io.slipway.image.registry;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the one {@link HttpClient} of an import: HTTP/1.1 (parallel blobs on parallel
 * connections), no automatic redirects (the client drops credentials when a redirect leaves the
 * registry), the system trust store plus an optional CA file, and the caller's
 * {@code HTTP(S)_PROXY} / {@code NO_PROXY}.
 */
public final class RegistryHttp {

    private RegistryHttp() {}

    public static HttpClient client(Optional<Path> caFile, Map<String, String> env, Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .proxy(new EnvProxySelector(env));
        if (caFile.isPresent()) {
            b.sslContext(sslContext(caFile.get()));
        }
        return b.build();
    }

    private static SSLContext sslContext(Path caFile) {
        try {
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (var tm : system.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        store.setCertificateEntry("system-" + n++, c);
                    }
                }
            }
            try (InputStream in = Files.newInputStream(caFile)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + n++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new SlipwayException("cannot use CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** {@code https_proxy}/{@code http_proxy} (either case) with {@code no_proxy} exceptions. */
    static final class EnvProxySelector extends ProxySelector {
        private final Optional<InetSocketAddress> http;
        private final Optional<InetSocketAddress> https;
        private final List<String> noProxy = new ArrayList<>();

        EnvProxySelector(Map<String, String> env) {
            http = proxy(first(env, "http_proxy", "HTTP_PROXY"));
            https = proxy(first(env, "https_proxy", "HTTPS_PROXY"));
            for (String s : first(env, "no_proxy", "NO_PROXY").split(",")) {
                if (!s.isBlank()) {
                    noProxy.add(s.strip().toLowerCase(Locale.ROOT));
                }
            }
        }

        private static String first(Map<String, String> env, String a, String b) {
            String v = env.get(a);
            return v != null && !v.isEmpty() ? v : env.getOrDefault(b, "");
        }

        private static Optional<InetSocketAddress> proxy(String value) {
            if (value.isEmpty()) {
                return Optional.empty();
            }
            URI uri = URI.create(value.contains("://") ? value : "http://" + value);
            if (uri.getHost() == null) {
                return Optional.empty();
            }
            return Optional.of(InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 80));
        }

        boolean bypass(String host) {
            String h = host.toLowerCase(Locale.ROOT);
            if (h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1")) {
                return true;
            }
            for (String n : noProxy) {
                if (n.equals("*")) {
                    return true;
                }
                String suffix = n.startsWith(".") ? n : "." + n;
                if (h.equals(n.replaceFirst("^\\.", "").replaceFirst(":\\d+$", "")) || h.endsWith(suffix)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public List<Proxy> select(URI uri) {
            Optional<InetSocketAddress> p = "https".equals(uri.getScheme()) ? https : http;
            if (p.isEmpty() || uri.getHost() == null || bypass(uri.getHost())) {
                return List.of(Proxy.NO_PROXY);
            }
            return List.of(new Proxy(Proxy.Type.HTTP, p.get()));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            // The request fails and is retried by the caller.
        }
    }
}
