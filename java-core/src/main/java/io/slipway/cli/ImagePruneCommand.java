package io.slipway.cli;

import io.slipway.image.StorePruner;
import picocli.CommandLine.Model.CommandSpec;

final class ImagePruneCommand implements Runnable {

    private final CliContext context;

    Integer unusedDays;

    boolean all;

    ImagePruneCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        ImagePruneCommand command = new ImagePruneCommand(context);
        return CommandSpecs.command(command, "prune", "Free space in the image store: cached layers no image needs, "
                        + "leftovers of interrupted imports, images missing from the index and, with --unused-days, "
                        + "images not used for that long.")
                .addOption(CommandSpecs.option(Integer.class, v -> command.unusedDays = v, "--unused-days")
                        .paramLabel("N").description("Also remove images not used for N days.").build())
                .addOption(CommandSpecs.option(boolean.class, v -> command.all = v, "--all")
                        .description("Remove every image and cached layer.").build());
    }

    @Override
    public void run() {
        var store = ImageCommand.store(context);
        if (store.isEmpty()) {
            return;
        }
        long freed = new StorePruner(store.get()).prune(all ? 0 : unusedDays == null ? -1 : unusedDays);
        context.out().println("freed " + ProgressListener.human(freed));
    }
}
