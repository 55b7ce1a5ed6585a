package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.image.ImageService;
import io.slipway.image.ImportedImage;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

final class ImageImportCommand implements Runnable {

    private final CliContext context;

    String reference;

    Path output;

    String platform;

    Path containerfile;

    ImageImportCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        ImageImportCommand command = new ImageImportCommand(context);
        return CommandSpecs.command(command, "import",
                        "Import an image into the image store (or into FILE with -o) and print the squashfs path "
                        + "as the last line.",
                        "REF: [USER@][REGISTRY#]IMAGE[:TAG][@DIGEST], REGISTRY/IMAGE[:TAG], a squashfs path, "
                        + "docker-archive:PATH, oci-archive:PATH[:TAG] or oci:DIR[:TAG].")
                .addPositional(CommandSpecs.positional("0..1", "REF", String.class, v -> command.reference = v)
                        .index("0").description("The image to import (none with --containerfile).").build())
                .addOption(CommandSpecs.option(Path.class, v -> command.output = v, "-o", "--output").paramLabel("FILE")
                        .description("Write the squashfs here (like enroot import -o) instead of the store.").build())
                .addOption(CommandSpecs.option(String.class, v -> command.platform = v, "--platform")
                        .paramLabel("OS/ARCH[/VARIANT]")
                        .description("Platform to pick from a multi-platform image (default: this machine's).").build())
                .addOption(CommandSpecs.option(Path.class, v -> command.containerfile = v, "--containerfile")
                        .paramLabel("FILE")
                        .description("Build the image from this Containerfile with buildah/podman into -o FILE, unless "
                                + "FILE exists already.").build());
    }

    @Override
    public void run() {
        ProgressListener progress = ProgressListener.onStderr(context);
        try {
            ImageService service = ImageCommand.service(context, progress, platform);
            ImportedImage image;
            if (containerfile != null) {
                if (output == null || reference != null) {
                    throw new SlipwayException("--containerfile needs -o FILE (where the image is written) and no REF");
                }
                image = service.ensure(context.cwd().resolve(output).toString(), Optional.of(containerfile));
            } else if (reference == null) {
                throw new SlipwayException("give the image to import (REF), or --containerfile FILE -o OUT");
            } else if (output != null) {
                image = service.importTo(reference, output);
            } else {
                image = service.ensure(reference);
            }
            progress.finish();
            context.out().println(image.squashfs());
        } finally {
            progress.close();
        }
    }

}
