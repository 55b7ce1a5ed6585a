package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.image.ImageReference;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

final class ImageRmCommand implements Runnable {

    private final CliContext context;

    final List<String> references = new ArrayList<>();

    ImageRmCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        ImageRmCommand command = new ImageRmCommand(context);
        return CommandSpecs.command(command, "rm", "Remove images from the store, by reference or digest (sha256:...).")
                .addPositional(CommandSpecs.positionals("1..*", "REF", command.references).build());
    }

    @Override
    public void run() {
        var store = ImageCommand.store(context)
                .orElseThrow(() -> new SlipwayException("there is no image store (set SCRATCH or EDF_IMAGESTORE)"));
        for (String ref : references) {
            String wanted = ref.startsWith("sha256:") ? ref : ImageReference.parse(ref).withoutUser().toString();
            var removed = store.remove(e -> e.reference().equals(wanted) || e.digest().equals(wanted));
            if (removed.isEmpty()) {
                throw new SlipwayException("no image " + wanted + " in the store " + store.directory());
            }
            removed.forEach(e -> context.out().println("removed " + e.reference() + " " + e.digest()));
        }
    }
}
