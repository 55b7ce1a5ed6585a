package io.slipway.slurm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.SlipwayException;
import io.slipway.config.ConfigLoader;
import io.slipway.config.Installation;
import io.slipway.config.SlipwayConfig;
import io.slipway.edf.EdfSearchPath;
import io.slipway.edf.Edfs;
import io.slipway.edf.LoadedEdf;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * srun, sbatch and salloc: reads the EDF and its bases with the user's environment and working
 * directory and checks them, so a bad EDF fails the command before anything is queued. Variables
 * only the image may define are left for the node (see {@link Edfs#checkAtSubmission}). The answer
 * carries the files' texts to the job. A clean answer is kept for the plugin to reuse while nothing
 * it depends on changes ({@link CheckCache}).
 */
final class SubmissionCheck {

    /** Variables the check reads besides those the EDF names: the search path and the configuration. */
    private static final List<String> READ_BY_THE_CHECK = List.of(EdfSearchPath.EDF_PATH, "HOME",
            ConfigLoader.CONFIG_VARIABLE);

    private final PluginRequest request;
    private final SlipwayConfig config;
    private final PrintWriter err;

    SubmissionCheck(PluginRequest request, SlipwayConfig config, PrintWriter err) {
        this.request = request;
        this.config = config;
        this.err = err;
    }

    ObjectNode run() {
        if (request.environment() == null || request.environment().isEmpty()) {
            throw new SlipwayException("--environment needs an EDF name or path");
        }
        CheckCache cache = new CheckCache();
        ConfigLoader.fileFor(request.configEnvironment(), Installation.current()).ifPresent(cache::consulted);
        // The jar too, so that an upgrade of Slipway invalidates every entry.
        Installation.runningJar().ifPresent(cache::consulted);
        boolean[] warned = {false};
        Edfs.Context context = new Edfs.Context(request.env(), request.cwd(), config, w -> {
            warned[0] = true;
            err.println("slipway: warning: " + w);
        });
        LoadedEdf loaded = Edfs.load(request.environment(), context, cache::consulted);
        String image = Edfs.image(loaded, context);
        if (image == null || image.isEmpty()) {
            throw new SlipwayException(loaded.sources().get(loaded.sources().size() - 1)
                    + ": no image: set image = \"...\" in the EDF or in one of its base environments");
        }
        Set<String> deferred = Edfs.checkAtSubmission(loaded, context);
        List<String> messages = new ArrayList<>();
        messages.add("environment " + request.environment() + " from "
                + loaded.sources().stream().map(Path::toString).collect(Collectors.joining(", "))
                + (loaded.sources().size() > 1 ? " (bases first)" : ""));
        messages.add("image " + image);
        if (!deferred.isEmpty()) {
            messages.add("left for the image to define: " + String.join(", ", deferred));
        }
        ObjectNode answer = PluginHost.answer(messages);
        answer.put("carry", new Carried(request.environment(), Edfs.carry(loaded), request.verbose()).toJson());
        if (request.checkCache() != null && !warned[0]) {
            SortedSet<String> variables = new TreeSet<>(Edfs.variablesNamed(loaded));
            variables.addAll(READ_BY_THE_CHECK);
            cache.write(request.checkCache(), request, variables, request.env(), answer);
        }
        return answer;
    }
}
