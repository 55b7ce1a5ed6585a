package io.slipway.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Reads OCI hook files (version 1.0.0) from the hook directories: the {@code *.json} files of each
 * directory, not recursively, in lexicographic file-name order, directories in configuration
 * order. A malformed file is an error naming it.
 */
public final class OciHooks {

    private static final Set<String> TOP_LEVEL = Set.of("version", "hook", "when", "stages");

    private OciHooks() {}

    public static List<OciHook> load(List<Path> dirs) {
        List<OciHook> out = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                        .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                        .toList();
            } catch (IOException e) {
                throw new SlipwayException("cannot list hook directory " + dir + ": " + e.getMessage(), e);
            }
            for (Path file : files) {
                out.add(parse(file));
            }
        }
        return out;
    }

    public static OciHook parse(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SlipwayException("cannot read hook file " + file + ": " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    static OciHook parse(Path file, String text) {
        JsonNode root;
        try {
            root = Json.read(text);
        } catch (JsonProcessingException e) {
            throw bad(file, "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "must hold a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_LEVEL.contains(key)) {
                throw bad(file, "unknown key '" + key + "'");
            }
        }
        if (!"1.0.0".equals(root.path("version").asText(null))) {
            throw bad(file, "'version' must be \"1.0.0\", the only supported version");
        }
        JsonNode stagesNode = root.get("stages");
        if (stagesNode == null || !stagesNode.isArray()) {
            throw bad(file, "'stages' must be an array");
        }
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        for (JsonNode s : stagesNode) {
            try {
                stages.add(Stage.ofJson(s.asText()));
            } catch (IllegalArgumentException e) {
                throw bad(file, "unknown stage '" + s.asText() + "'; stages: prestart, createRuntime, "
                        + "createContainer, startContainer, poststart, poststop");
            }
        }
        return ofHookObject(file, root.get("hook"), when(file, root.get("when")), stages);
    }

    /**
     * A hook from the {@code hook} object of its file, as config.json and a kept container's
     * state keep it, with the given conditions and stages.
     */
    public static OciHook ofHookObject(Path file, JsonNode hook, When when, Set<Stage> stages) {
        if (hook == null || !hook.isObject()) {
            throw bad(file, "'hook' must be an object");
        }
        String path = hook.path("path").asText("");
        if (!path.startsWith("/")) {
            throw bad(file, "'hook.path' must be an absolute path");
        }
        List<String> args = strings(file, hook, "args");
        if (args.isEmpty()) {
            args = List.of(path);
        }
        List<String> env = strings(file, hook, "env");
        Optional<Duration> timeout = Optional.empty();
        if (hook.has("timeout")) {
            if (!hook.get("timeout").canConvertToInt() || hook.get("timeout").asInt() < 1) {
                throw bad(file, "'hook.timeout' must be an integer of at least 1 (seconds)");
            }
            timeout = Optional.of(Duration.ofSeconds(hook.get("timeout").asInt()));
        }
        return new OciHook(file, (ObjectNode) hook.deepCopy(), path, args, env, timeout, when, stages);
    }

    private static When when(Path file, JsonNode when) {
        if (when == null || !when.isObject() || when.isEmpty()) {
            throw bad(file, "'when' must be an object with at least one condition");
        }
        Optional<Boolean> always = Optional.empty();
        Map<Pattern, Pattern> annotations = new LinkedHashMap<>();
        Optional<List<Pattern>> commands = Optional.empty();
        Optional<Boolean> hasBindMounts = Optional.empty();
        for (Iterator<Map.Entry<String, JsonNode>> it = when.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "always" -> always = Optional.of(bool(file, "when.always", v));
                case "hasBindMounts" -> hasBindMounts = Optional.of(bool(file, "when.hasBindMounts", v));
                case "annotations" -> {
                    if (!v.isObject()) {
                        throw bad(file, "'when.annotations' must be an object of regex pairs");
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> a = v.fields(); a.hasNext(); ) {
                        var pair = a.next();
                        if (!pair.getValue().isTextual()) {
                            throw bad(file, "'when.annotations' values must be strings");
                        }
                        annotations.put(regex(file, pair.getKey()), regex(file, pair.getValue().asText()));
                    }
                }
                case "commands" -> {
                    if (!v.isArray()) {
                        throw bad(file, "'when.commands' must be an array of regexes");
                    }
                    List<Pattern> list = new ArrayList<>();
                    for (JsonNode c : v) {
                        list.add(regex(file, c.asText()));
                    }
                    commands = Optional.of(list);
                }
                default -> throw bad(file, "unexpected condition 'when." + e.getKey()
                        + "'; conditions: always, annotations, commands, hasBindMounts");
            }
        }
        return new When(always, annotations, commands, hasBindMounts);
    }

    private static boolean bool(Path file, String key, JsonNode v) {
        if (!v.isBoolean()) {
            throw bad(file, "'" + key + "' must be true or false");
        }
        return v.asBoolean();
    }

    private static Pattern regex(Path file, String text) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw bad(file, "bad regular expression '" + text + "': " + e.getDescription());
        }
    }

    private static List<String> strings(Path file, JsonNode hook, String key) {
        JsonNode node = hook.get(key);
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw bad(file, "'hook." + key + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw bad(file, "'hook." + key + "' must be an array of strings");
            }
            out.add(n.asText());
        }
        return out;
    }

    private static SlipwayException bad(Path file, String message) {
        return new SlipwayException("OCI hook file " + file + ": " + message);
    }
}
