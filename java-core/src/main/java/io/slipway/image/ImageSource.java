package io.slipway.image;

import io.slipway.SlipwayException;
import java.nio.file.Path;

/**
 * Where an image comes from. {@link #parse} decides from the text alone: a path (starting with
 * {@code /} or {@code .}) is a squashfs file, a {@code docker-archive:}, {@code oci-archive:} or
 * {@code oci:} prefix names a local archive or layout, anything else is a registry reference.
 */
public sealed interface ImageSource {

    /** An image in a registry. */
    record Registry(ImageReference reference) implements ImageSource {}

    /** A squashfs file used as is. */
    record SquashfsFile(Path file) implements ImageSource {}

    /** A {@code docker save} tarball; {@code tag} picks one of its RepoTags, empty for the first. */
    record DockerArchive(Path file, String tag) implements ImageSource {}

    /** A tarball of an OCI image layout; {@code tag} is the ref.name annotation, empty for the only one. */
    record OciArchive(Path file, String tag) implements ImageSource {}

    /** A directory holding an OCI image layout. */
    record OciDirectory(Path dir, String tag) implements ImageSource {}

    /** Parses an image as written in an EDF or on the command line; relative paths against {@code cwd}. */
    static ImageSource parse(String text, Path cwd) {
        String s = text.strip();
        if (s.startsWith("/") || s.startsWith("./") || s.startsWith("../") || s.equals(".") || s.startsWith("~/")) {
            if (s.startsWith("~/")) {
                throw new SlipwayException("image path '" + s + "': '~' is not expanded; use ${HOME}");
            }
            return new SquashfsFile(cwd.resolve(s).normalize());
        }
        if (s.startsWith("docker-archive:")) {
            PathAndTag pt = PathAndTag.split(s.substring("docker-archive:".length()), text);
            return new DockerArchive(cwd.resolve(pt.path).normalize(), pt.tag);
        }
        if (s.startsWith("oci-archive:")) {
            PathAndTag pt = PathAndTag.split(s.substring("oci-archive:".length()), text);
            return new OciArchive(cwd.resolve(pt.path).normalize(), pt.tag);
        }
        if (s.startsWith("oci:")) {
            PathAndTag pt = PathAndTag.split(s.substring("oci:".length()), text);
            return new OciDirectory(cwd.resolve(pt.path).normalize(), pt.tag);
        }
        return new Registry(ImageReference.parse(s));
    }

    /**
     * {@code PATH[:REFERENCE]}, split at the first colon as skopeo and podman do, since the
     * reference may hold colons itself ({@code docker-archive:x.tar:team/app:1}).
     */
    record PathAndTag(String path, String tag) {
        static PathAndTag split(String s, String text) {
            int colon = s.indexOf(':');
            PathAndTag out = colon >= 0 ? new PathAndTag(s.substring(0, colon), s.substring(colon + 1))
                    : new PathAndTag(s, "");
            if (out.path.isEmpty()) {
                throw new SlipwayException("image '" + text + "': the path is empty");
            }
            return out;
        }
    }
}
