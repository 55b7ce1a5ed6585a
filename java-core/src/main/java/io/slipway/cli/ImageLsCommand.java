package io.slipway.cli;

import io.slipway.image.ImageStore;
import java.util.Comparator;
import picocli.CommandLine.Model.CommandSpec;

final class ImageLsCommand implements Runnable {

    private final CliContext context;

    ImageLsCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        return CommandSpecs.command(new ImageLsCommand(context), "ls",
                "List the images of the store: reference, digest, size, last use.");
    }

    @Override
    public void run() {
        var store = ImageCommand.store(context);
        if (store.isEmpty()) {
            return;
        }
        var entries = store.get().entries().stream().sorted(Comparator.comparing(ImageStore.Entry::reference)).toList();
        if (entries.isEmpty()) {
            return;
        }
        context.out().printf("%-50s %-19s %10s  %s%n", "REFERENCE", "DIGEST", "SIZE", "LAST USED");
        for (ImageStore.Entry e : entries) {
            context.out().printf("%-50s %-19s %10s  %s%n", e.reference(),
                    e.digest().substring(0, Math.min(e.digest().length(), 19)),
                    ProgressListener.human(e.size()), e.lastUsed().replaceFirst("\\.\\d+Z$", "Z"));
        }
    }
}
