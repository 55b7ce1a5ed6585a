package io.slipway.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.EnvEntries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One OCI hook configuration file.
 *
 * @param file the JSON file it came from; its stem is the hook's name
 * @param hook the {@code hook} object as written, copied verbatim into the bundle's config.json
 * @param path the executable, an absolute host path
 * @param args argv, args[0] included; {@code [path]} when the file has none
 * @param env the hook's whole environment, {@code NAME=VALUE}
 * @param timeout how long it may run
 */
public record OciHook(Path file, ObjectNode hook, String path, List<String> args, List<String> env,
        Optional<Duration> timeout, When when, Set<Stage> stages) {

    /** {@code env} as NAME to VALUE, in order; an entry without '=' is left out. */
    public Map<String, String> envMap() {
        return EnvEntries.toMap(env);
    }

    public String name() {
        String n = file.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }
}
