package io.slipway.runtime;

import io.slipway.SlipwayException;
import io.slipway.image.ImageConfig;
import io.slipway.image.ImportedImage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Images given as squashfs files: the configuration comes from the {@code FILE.json} sidecar,
 * or is empty for a bare squashfs. Anything that is not an existing file is handed to
 * {@code registry}, the seam where registry import plugs in.
 */
public record SquashfsFileImages(Path cwd, ImageResolver registry) implements ImageResolver {

    /** Until registry import is wired in: a clear error for registry references. */
    public static final ImageResolver NO_REGISTRY = reference -> {
        throw new SlipwayException("image '" + reference + "' is not a squashfs file, and importing images "
                + "from a registry is not available in this build yet");
    };

    @Override
    public ImportedImage resolve(String reference) {
        Path file = cwd.resolve(reference).normalize();
        if (reference.startsWith("/") || reference.startsWith(".") || Files.isRegularFile(file)) {
            if (!Files.isRegularFile(file)) {
                throw new SlipwayException("image file " + file + " does not exist");
            }
            return new ImportedImage(file, ImageConfig.readBeside(file).orElse(ImageConfig.empty()));
        }
        return registry.resolve(reference);
    }
}
