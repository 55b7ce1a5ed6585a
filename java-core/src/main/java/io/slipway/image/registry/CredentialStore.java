package io.slipway.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Registry credentials of one user, from (in this order) Enroot's netrc file
 * {@code $ENROOT_CONFIG_PATH/.credentials} (default {@code $HOME/.config/enroot/.credentials}),
 * {@code $HOME/.docker/config.json} and {@code $XDG_RUNTIME_DIR/containers/auth.json}. A file
 * readable by group or others is reported through the warning sink. Secrets stay in memory.
 */
public final class CredentialStore {

    private static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    /** A (host, credential) pair in file order. */
    private record Known(String host, Credential credential) {}

    private final List<Known> known;

    private CredentialStore(List<Known> known) {
        this.known = List.copyOf(known);
    }

    public static CredentialStore empty() {
        return new CredentialStore(List.of());
    }

    /** Reads the files that {@code env} points at; unreadable files are reported, not fatal. */
    public static CredentialStore load(Map<String, String> env, Consumer<String> warn) {
        List<Known> known = new ArrayList<>();
        String home = env.getOrDefault("HOME", "");
        String enrootConfig = env.get("ENROOT_CONFIG_PATH");
        if (enrootConfig == null || enrootConfig.isEmpty()) {
            String xdg = env.getOrDefault("XDG_CONFIG_HOME", "");
            enrootConfig = !xdg.isEmpty() ? xdg + "/enroot" : home.isEmpty() ? "" : home + "/.config/enroot";
        }
        if (!enrootConfig.isEmpty()) {
            Path netrc = Path.of(enrootConfig, ".credentials");
            read(netrc, warn).ifPresent(text -> {
                for (Netrc.Entry e : Netrc.parse(text)) {
                    known.add(new Known(e.machine(), new Credential(e.login(), e.password(), netrc.toString())));
                }
            });
        }
        if (!home.isEmpty()) {
            Path docker = Path.of(home, ".docker", "config.json");
            read(docker, warn).ifPresent(text -> readAuths(docker, text, known, warn));
        }
        String runtime = env.getOrDefault("XDG_RUNTIME_DIR", "");
        if (!runtime.isEmpty()) {
            Path auth = Path.of(runtime, "containers", "auth.json");
            read(auth, warn).ifPresent(text -> readAuths(auth, text, known, warn));
        }
        return new CredentialStore(known);
    }

    /** For tests and callers that hold credentials already. */
    public static CredentialStore of(Map<String, Credential> byHost) {
        List<Known> known = new ArrayList<>();
        byHost.forEach((h, c) -> known.add(new Known(h, c)));
        return new CredentialStore(known);
    }

    /**
     * The credential for {@code registry} ({@code host[:port]}): an entry for {@code host:port}
     * or {@code host}, with login {@code user} when one is given. Docker Hub also matches its
     * other names.
     */
    public Optional<Credential> find(String registry, String user) {
        List<String> names = new ArrayList<>(List.of(registry));
        int colon = registry.lastIndexOf(':');
        if (colon > 0 && !registry.endsWith("]")) {
            names.add(registry.substring(0, colon));
        }
        if (registry.equals("registry-1.docker.io")) {
            names.addAll(List.of("docker.io", "index.docker.io", "auth.docker.io", DOCKER_HUB_KEY));
        }
        for (String name : names) {
            for (Known k : known) {
                if (k.host.equals(name) && (user.isEmpty() || k.credential.login().equals(user))) {
                    return Optional.of(k.credential);
                }
            }
        }
        for (Known k : known) {
            if (k.host.isEmpty() && (user.isEmpty() || k.credential.login().equals(user))) {
                return Optional.of(k.credential);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> read(Path file, Consumer<String> warn) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                    warn.accept("credentials file " + file + " is readable by other users; run chmod 600 " + file);
                }
            } catch (UnsupportedOperationException | IOException ignored) {
                // Not a POSIX file system: nothing to check.
            }
            return Optional.of(text);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            warn.accept("cannot read credentials file " + file + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static void readAuths(Path file, String text, List<Known> known, Consumer<String> warn) {
        JsonNode auths;
        try {
            auths = Json.read(text).path("auths");
        } catch (IOException e) {
            warn.accept("ignoring credentials file " + file + ": not valid JSON");
            return;
        }
        auths.fields().forEachRemaining(e -> {
            String encoded = e.getValue().path("auth").asText("");
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException bad) {
                warn.accept("ignoring an entry of " + file + ": its auth is not base64");
                return;
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return;
            }
            String host = e.getKey().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
            if (e.getKey().equals(DOCKER_HUB_KEY)) {
                host = "registry-1.docker.io";
            }
            known.add(new Known(host, new Credential(decoded.substring(0, colon), decoded.substring(colon + 1),
                    file.toString())));
        });
    }
}
