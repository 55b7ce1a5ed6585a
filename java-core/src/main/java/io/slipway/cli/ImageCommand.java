package io.slipway.cli;

import io.slipway.image.ImageService;
import io.slipway.image.ImportListener;
import io.slipway.image.Platform;
import picocli.CommandLine.Command;

@Command(name = "image", description = "Import, list and remove container images.",
        mixinStandardHelpOptions = true,
        subcommands = {ImageImportCommand.class, ImageLsCommand.class, ImageRmCommand.class, ImagePruneCommand.class})
final class ImageCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: import, ls, rm or prune");
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
