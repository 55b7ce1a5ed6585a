package io.slipway.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import io.slipway.hooks.OciHook;
import io.slipway.hooks.OciHooks;
import io.slipway.hooks.Stage;
import io.slipway.hooks.When;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link ContainerStarter#stopKept} needs to stop a kept container, written as
 * {@value #FILE} in its runtime directory as soon as the container process exists (so a start
 * cut short can be cleaned up too).
 *
 * @param pid the container process, the keeper once started
 * @param startTime its start time, field 22 of /proc/PID/stat: a reused pid is never signalled
 * @param bundle the runtime directory, the bundle OCI hooks see
 * @param poststop the poststop hooks to run once the keeper is gone
 */
public record KeptState(String id, long pid, long startTime, Path bundle, Map<String, String> annotations,
        List<OciHook> poststop) {

    public static final String FILE = "state.json";

    private static final When ALWAYS = new When(Optional.of(true), Map.of(), Optional.empty(), Optional.empty());

    public KeptState {
        annotations = Map.copyOf(annotations);
        poststop = List.copyOf(poststop);
    }

    public String toJson() {
        ObjectNode root = Json.object();
        root.put("id", id);
        root.put("pid", pid);
        root.put("startTime", startTime);
        root.put("bundle", bundle.toString());
        ObjectNode a = root.putObject("annotations");
        annotations.forEach(a::put);
        ArrayNode hooks = root.putArray("poststop");
        for (OciHook h : poststop) {
            hooks.addObject().put("file", h.file().toString()).set("hook", h.hook().deepCopy());
        }
        return Json.write(root);
    }

    public static KeptState fromJson(String json) {
        try {
            JsonNode root = Json.read(json);
            Map<String, String> annotations = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("annotations").fields(); it.hasNext(); ) {
                var e = it.next();
                annotations.put(e.getKey(), e.getValue().asText());
            }
            List<OciHook> poststop = new ArrayList<>();
            for (JsonNode h : root.path("poststop")) {
                poststop.add(OciHooks.ofHookObject(Path.of(h.path("file").asText("poststop.json")), h.get("hook"),
                        ALWAYS, EnumSet.of(Stage.POSTSTOP)));
            }
            if (!root.path("id").isTextual() || !root.path("pid").canConvertToLong()
                    || !root.path("startTime").canConvertToLong() || !root.path("bundle").isTextual()) {
                throw new SlipwayException("needs id, pid, startTime and bundle");
            }
            return new KeptState(root.get("id").asText(), root.get("pid").asLong(), root.get("startTime").asLong(),
                    Path.of(root.get("bundle").asText()), annotations, poststop);
        } catch (IOException | SlipwayException e) {
            throw new SlipwayException("malformed kept-container state: " + e.getMessage(), e);
        }
    }

    /** Writes {@value #FILE} into {@code dir}, atomically. */
    public void write(Path dir) {
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, toJson());
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SlipwayException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /** The state in {@code dir}, or empty when it has none. */
    public static Optional<KeptState> read(Path dir) {
        try {
            return Optional.of(fromJson(Files.readString(dir.resolve(FILE))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SlipwayException("cannot read " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }
}
