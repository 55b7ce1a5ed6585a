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
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The {@link HttpClient}s of an import: HTTP/1.1 (parallel blobs on parallel connections), no
 * automatic redirects (the client drops credentials when a redirect leaves the registry), the
 * caller's {@code HTTP(S)_PROXY} / {@code NO_PROXY}. Requests to {@code https} addresses go
 * through a client with the system trust store plus an optional CA file; {@code http} ones
 * (registries in {@code insecure_registries}) through one that sets up no trust store at all,
 * since loading it costs about 100 ms of a warm import. Each client is made on first use.
 */
public final class RegistryHttp {

    private final Optional<Path> caFile;
    private final Map<String, String> env;
    private final Duration connectTimeout;
    private HttpClient plain;
    private HttpClient tls;

    public RegistryHttp(Optional<Path> caFile, Map<String, String> env, Duration connectTimeout) {
        this.caFile = caFile;
        this.env = Map.copyOf(env);
        this.connectTimeout = connectTimeout;
    }

    /** The client for {@code uri}'s scheme. */
    public synchronized HttpClient forUri(URI uri) {
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            if (tls == null) {
                tls = build(caFile.isPresent() ? sslContext(caFile.get()) : null);
            }
            return tls;
        }
        if (plain == null) {
            plain = build(trustingNothing());
        }
        return plain;
    }

    private HttpClient build(SSLContext ssl) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .proxy(new EnvProxySelector(env));
        if (ssl != null) {
            b.sslContext(ssl);
        }
        return b.build();
    }

    /**
     * For the plain-HTTP client, which never speaks TLS (https addresses go to the other
     * client): a context that refuses every use. The JDK's own contexts, even empty ones, load
     * the providers, the cipher suites and a random source when the client is built, about 60 ms.
     */
    private static SSLContext trustingNothing() {
        return new SSLContext(new NoTls(), null, "none") {};
    }

    private static final class NoTls extends SSLContextSpi {
        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("TLS through the plain-HTTP registry client");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            // Nothing to set up: no TLS is ever spoken.
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw refused();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return new SSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return new SSLParameters();
        }
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
