package io.slipway.image;

import io.slipway.SlipwayException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A registry image reference in Enroot syntax {@code [USER@][REGISTRY#]IMAGE[:TAG][@DIGEST]} or
 * the Docker form {@code REGISTRY/IMAGE[:TAG]} (a first component with a dot, a colon or
 * {@code localhost} is a registry). Docker Hub is the default registry and {@code library/} its
 * default namespace. An optional {@code docker://} prefix is accepted.
 *
 * @param user the login selected with {@code USER@}, empty when none
 * @param registry {@code host[:port]}; Docker Hub is {@value #DOCKER_HUB}
 * @param repository the repository path, e.g. {@code library/ubuntu}
 * @param tag the tag, {@code latest} when none was given
 * @param digest {@code sha256:HEX} when pinned, else empty
 */
public record ImageReference(String user, String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "registry-1.docker.io";

    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:[._-]+[a-z0-9]+|__[a-z0-9]+)*"
            + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern DIGEST_LIKE = Pattern.compile("sha256:.*|[a-z0-9]+:[0-9a-fA-F]{32,}");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]{1,5})?|\\[[0-9a-fA-F:]+\\](?::[0-9]{1,5})?");

    public ImageReference {
        user = user == null ? "" : user;
        digest = digest == null ? "" : digest;
        tag = tag == null || tag.isEmpty() ? "latest" : tag;
    }

    /** Parses {@code text}; a message naming the reference and the rule explains a refusal. */
    public static ImageReference parse(String text) {
        String s = text.strip();
        if (s.startsWith("docker://")) {
            s = s.substring("docker://".length());
        }
        if (s.isEmpty()) {
            throw invalid(text, "it is empty");
        }
        String digest = "";
        int at = s.lastIndexOf('@');
        if (at >= 0 && DIGEST_LIKE.matcher(s.substring(at + 1)).matches()) {
            digest = s.substring(at + 1);
            s = s.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw invalid(text, "the digest '" + digest + "' is not sha256:<64 hex digits>");
            }
        }
        String user = "";
        int userAt = s.lastIndexOf('@');
        if (userAt >= 0) {
            user = s.substring(0, userAt);
            s = s.substring(userAt + 1);
            if (user.isEmpty()) {
                throw invalid(text, "the user before '@' is empty");
            }
        }
        String registry;
        int hash = s.indexOf('#');
        if (hash >= 0) {
            registry = s.substring(0, hash);
            s = s.substring(hash + 1);
            if (registry.isEmpty()) {
                throw invalid(text, "the registry before '#' is empty");
            }
        } else {
            int slash = s.indexOf('/');
            String first = slash > 0 ? s.substring(0, slash) : "";
            if (slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
                registry = first;
                s = s.substring(slash + 1);
            } else {
                registry = DOCKER_HUB;
            }
        }
        if (!REGISTRY.matcher(registry).matches()) {
            throw invalid(text, "'" + registry + "' is not a registry host[:port]");
        }
        String tag = "";
        int slash = s.lastIndexOf('/');
        int colon = s.lastIndexOf(':');
        if (colon > slash) {
            tag = s.substring(colon + 1);
            s = s.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(text, "the tag '" + tag + "' may hold letters, digits, '.', '_' and '-' (at most 128)");
            }
        }
        registry = canonicalRegistry(registry);
        if (registry.equals(DOCKER_HUB) && !s.contains("/")) {
            s = "library/" + s;
        }
        if (!REPOSITORY.matcher(s).matches()) {
            throw invalid(text, "the image name '" + s + "' may hold lower-case letters, digits and "
                    + "'.', '_', '-' between them, in '/'-separated components");
        }
        return new ImageReference(user, registry, s, tag, digest);
    }

    private static String canonicalRegistry(String registry) {
        return switch (registry) {
            case "docker.io", "index.docker.io", DOCKER_HUB -> DOCKER_HUB;
            default -> registry;
        };
    }

    private static SlipwayException invalid(String text, String why) {
        return new SlipwayException("invalid image reference '" + text + "': " + why);
    }

    public Optional<String> pinnedDigest() {
        return digest.isEmpty() ? Optional.empty() : Optional.of(digest);
    }

    /** What the registry is asked for: the digest when pinned, else the tag. */
    public String manifestReference() {
        return digest.isEmpty() ? tag : digest;
    }

    /** The host part of {@link #registry()}, without the port: what credentials are matched by. */
    public String host() {
        if (registry.startsWith("[")) {
            return registry.substring(0, registry.indexOf(']') + 1);
        }
        int colon = registry.indexOf(':');
        return colon < 0 ? registry : registry.substring(0, colon);
    }

    /** The same image without the user (what identifies it in the store). */
    public ImageReference withoutUser() {
        return new ImageReference("", registry, repository, tag, digest);
    }

    public ImageReference withDigest(String newDigest) {
        return new ImageReference(user, registry, repository, tag, newDigest);
    }

    /**
     * The file name {@code enroot import} gives this image: registry (unless Docker Hub), image
     * path and tag joined with {@code +}, e.g. {@code nvidia+cuda+11.8.0.sqsh}.
     */
    public String enrootFileName() {
        String image = registry.equals(DOCKER_HUB) && repository.startsWith("library/")
                ? repository.substring("library/".length()) : repository;
        StringBuilder name = new StringBuilder();
        if (!registry.equals(DOCKER_HUB)) {
            name.append(registry.replace(':', '+')).append('+');
        }
        name.append(image.replace('/', '+')).append('+').append(tag);
        return name + ".sqsh";
    }

    /** Canonical Enroot form, without the user: {@code REGISTRY#REPOSITORY:TAG[@DIGEST]}. */
    @Override
    public String toString() {
        return registry + "#" + repository + ":" + tag + (digest.isEmpty() ? "" : "@" + digest);
    }
}
