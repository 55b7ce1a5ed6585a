package io.slipway.cli;

import io.slipway.image.ImageService;
import io.slipway.image.ImportListener;
import io.slipway.image.Platform;
import picocli.CommandLine.Model.CommandSpec;

/** {@code slipway image}: the image commands, and the image service they share. */
final class ImageCommand {

    private ImageCommand() {
    }

    static CommandSpec spec(CliContext context) {
        return CommandSpecs.group("image", "Import, list and remove container images.",
                ImageImportCommand.spec(context), ImageLsCommand.spec(context), ImageRmCommand.spec(context),
                ImagePruneCommand.spec(context));
    }

    /** The caller's image store, quietly; empty in cache-free mode. */
    static java.util.Optional<io.slipway.image.ImageStore> store(CliContext context) {
        return service(context, new ProgressListener(context.err(), false), null).store();
    }

    /** The image service of a command, reporting to {@code listener}. */
    static ImageService service(CliContext context, ImportListener listener, String platform) {
        Platform p = platform == null || platform.isEmpty() ? Platform.ofThisMachine() : Platform.parse(platform);
        return new ImageService(new ImageService.Context(context.environment(), context.cwd(), context.config(), p,
                listener));
    }
}
