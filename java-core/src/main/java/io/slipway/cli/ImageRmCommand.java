package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.image.ImageReference;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Remove images from the store, by reference or digest (sha256:...).")
final class ImageRmCommand implements Runnable {

    private final CliContext context;

    @Parameters(arity = "1..*", paramLabel = "REF")
    List<String> references;

    ImageRmCommand(CliContext context) {
        this.context = context;
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
