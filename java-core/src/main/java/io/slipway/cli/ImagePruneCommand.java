package io.slipway.cli;

import io.slipway.image.StorePruner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Free space in the image store: cached layers no image needs, leftovers of interrupted "
                + "imports, images missing from the index and, with --unused-days, images not used for that long."})
final class ImagePruneCommand implements Runnable {

    private final CliContext context;

    @Option(names = "--unused-days", paramLabel = "N", description = "Also remove images not used for N days.")
    Integer unusedDays;

    @Option(names = "--all", description = "Remove every image and cached layer.")
    boolean all;

    ImagePruneCommand(CliContext context) {
        this.context = context;
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
