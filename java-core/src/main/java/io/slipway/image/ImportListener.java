package io.slipway.image;

/**
 * Progress of an import. The image code reports here and never prints; the CLI renders it as a
 * terminal display or as one line per layer. Methods may be called from several threads.
 */
public interface ImportListener {

    ImportListener NONE = new ImportListener() {};

    /** Something the user should know once (cache-free mode, a waiting lock, a build step). */
    default void info(String message) {}

    /** One line of a Containerfile build's output (buildah or podman), as it comes. */
    default void buildOutput(String line) {
        info(line);
    }

    /** Something that is probably wrong but does not stop the import. */
    default void warning(String message) {}

    /** A layer (or config) blob is needed; {@code cached} when it is already in the blob cache. */
    default void layerStarted(String digest, long size, boolean cached) {}

    /** {@code bytes} more bytes of {@code digest} arrived. */
    default void layerProgress(String digest, long bytes) {}

    /** The blob is verified and in the cache. */
    default void layerDone(String digest) {}

    /** Squashing began / the squashfs file is ready. */
    default void squashing(String image) {}
}
