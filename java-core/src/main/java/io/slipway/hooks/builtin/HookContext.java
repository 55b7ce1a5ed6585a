package io.slipway.hooks.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.EnvEntries;
import io.slipway.Json;
import io.slipway.SlipwayException;
import io.slipway.hooks.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a built-in hook knows about the container: the OCI state and the bundle's config.json,
 * as every OCI hook reads them, plus its own arguments and environment.
 *
 * @param stage the stage it runs for
 * @param id the container id
 * @param bundle the bundle directory (Slipway's runtime directory of the container)
 * @param pid the container process on the host
 * @param rootfs the container root as the container's mount namespace names it before
 *     pivot_root: the path for commands run there ({@code ldconfig -r ROOTFS})
 * @param root the same tree, readable from the hook's process
 * @param readonly whether the root filesystem is read-only
 * @param uid the user inside the container
 * @param gid the group inside the container
 * @param env the container process's environment (config.json process.env)
 * @param annotations the container's annotations
 * @param args the hook's arguments after its name
 * @param hookEnv the hook's own environment (the hook file's {@code env})
 * @param hostEnv the environment of the process that starts the container: the job's under Slurm
 *     (where Slurm's GPU allocation is, whatever the image's Env says), the hook process's own
 *     under another OCI runtime
 */
public record HookContext(Stage stage, String id, Path bundle, long pid, Path rootfs, RootView root, boolean readonly, int uid,
        int gid, Map<String, String> env, Map<String, String> annotations, List<String> args,
        Map<String, String> hookEnv, Map<String, String> hostEnv) {


    /** A context without a host environment (hooks that only look at the container). */
    public HookContext(Stage stage, String id, Path bundle, long pid, Path rootfs, RootView root, boolean readonly,
            int uid, int gid, Map<String, String> env, Map<String, String> annotations, List<String> args,
            Map<String, String> hookEnv) {
        this(stage, id, bundle, pid, rootfs, root, readonly, uid, gid, env, annotations, args, hookEnv, Map.of());
    }

    /**
     * The context from a state document and its bundle's config.json.
     *
     * @param viewPrefix prepended to the root path to read it (for example {@code /proc/PID/root}),
     *     or null when this process is in the container's mount namespace
     */
    public static HookContext of(Stage stage, String stateJson, List<String> args, Map<String, String> hookEnv,
            Path viewPrefix) {
        return of(stage, stateJson, args, hookEnv, viewPrefix, Map.of());
    }

    /** The same, with the starting process's environment ({@link #hostEnv()}). */
    public static HookContext of(Stage stage, String stateJson, List<String> args, Map<String, String> hookEnv,
            Path viewPrefix, Map<String, String> hostEnv) {
        try {
            JsonNode state = Json.read(stateJson);
            Path bundle = Path.of(state.path("bundle").asText(""));
            if (!bundle.isAbsolute()) {
                throw new SlipwayException("the container state names no absolute bundle directory");
            }
            long pid = state.path("pid").asLong(-1);
            Path configFile = bundle.resolve("config.json");
            JsonNode config = Files.exists(configFile) ? Json.read(configFile) : Json.object();
            Path rootfs = bundle.resolve(config.path("root").path("path").asText("rootfs"));
            Path view = viewPrefix == null ? rootfs : Path.of(viewPrefix + rootfs.toString());
            Map<String, String> env = EnvEntries.toMap(Json.texts(config.path("process").path("env")));
            Map<String, String> annotations = new LinkedHashMap<>();
            JsonNode a = config.has("annotations") ? config.get("annotations") : state.path("annotations");
            a.fields().forEachRemaining(f -> annotations.put(f.getKey(), f.getValue().asText()));
            JsonNode user = config.path("process").path("user");
            return new HookContext(stage, state.path("id").asText(""), bundle, pid, rootfs, new RootView(view),
                    config.path("root").path("readonly").asBoolean(false),
                    user.path("uid").asInt(-1), user.path("gid").asInt(-1), Map.copyOf(env), Map.copyOf(annotations),
                    List.copyOf(args), Map.copyOf(hookEnv), Map.copyOf(hostEnv));
        } catch (IOException e) {
            throw new SlipwayException("cannot read the container's state or config.json: " + e.getMessage(), e);
        }
    }

    /** The value of {@code com.hooks.NAME.KEY}. */
    public Optional<String> annotation(String hook, String key) {
        return Optional.ofNullable(annotations.get("com.hooks." + hook + "." + key));
    }

    /** Whether {@code com.hooks.NAME.KEY} is "true" (any case). */
    public boolean annotationTrue(String hook, String key) {
        return annotation(hook, key).map(v -> v.trim().toLowerCase(Locale.ROOT).equals("true")).orElse(false);
    }

    /** A hook setting: the hook file's env wins over {@code fallback}. */
    public String setting(String name, String fallback) {
        String v = hookEnv.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    /** The arguments of the form {@code --NAME=VALUE}, in order. */
    public List<String> options(String name) {
        String prefix = "--" + name + "=";
        return args.stream().filter(s -> s.startsWith(prefix)).map(s -> s.substring(prefix.length())).toList();
    }

    /** A scratch directory of this hook under the bundle, created on demand. */
    public Path scratch(String hook) throws IOException {
        return Files.createDirectories(bundle.resolve("hooks").resolve(hook));
    }
}
