package io.slipway.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.EnvEntries;
import io.slipway.Json;
import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of an OCI image configuration the runtime and EDF expansion need. It is stored beside
 * the squashfs file as {@code FILE.json} ({@link #sidecarOf}), written atomically.
 *
 * @param env {@code NAME=VALUE} entries, in image order
 * @param entrypoint the image Entrypoint, empty when none
 * @param cmd the image Cmd, empty when none
 * @param workingDir the image WorkingDir, or null
 * @param user the image User, or null
 */
public record ImageConfig(
        List<String> env,
        List<String> entrypoint,
        List<String> cmd,
        String workingDir,
        String user,
        Map<String, String> labels) {

    public ImageConfig {
        env = env == null ? List.of() : List.copyOf(env);
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public static ImageConfig empty() {
        return new ImageConfig(List.of(), List.of(), List.of(), null, null, Map.of());
    }

    /** The environment as a map; a later entry for a name wins, as in a shell. */
    public Map<String, String> envMap() {
        return EnvEntries.toMap(env);
    }

    /** The runtime part of an OCI / Docker image configuration blob ({@code .config}). */
    public static ImageConfig fromOciConfig(byte[] json, String where) {
        JsonNode c;
        try {
            c = Json.read(json).path("config");
        } catch (IOException e) {
            throw new SlipwayException(where + ": the image configuration is not valid JSON: " + e.getMessage(), e);
        }
        String wd = c.path("WorkingDir").asText("");
        String user = c.path("User").asText("");
        return new ImageConfig(Json.texts(c.path("Env")), Json.texts(c.path("Entrypoint")), Json.texts(c.path("Cmd")),
                wd.isEmpty() ? null : wd, user.isEmpty() ? null : user, labelsOf(c.path("Labels")));
    }

    /** The sidecar form: every field, absent ones as null or empty. */
    ObjectNode toJson() {
        ObjectNode root = Json.object();
        env.forEach(root.putArray("env")::add);
        entrypoint.forEach(root.putArray("entrypoint")::add);
        cmd.forEach(root.putArray("cmd")::add);
        root.put("workingDir", workingDir);
        root.put("user", user);
        labels.forEach(root.putObject("labels")::put);
        return root;
    }

    static ImageConfig fromJson(JsonNode root) throws IOException {
        if (!root.isObject()) {
            throw new IOException("not a JSON object");
        }
        return new ImageConfig(Json.texts(root.path("env")), Json.texts(root.path("entrypoint")),
                Json.texts(root.path("cmd")), root.path("workingDir").textValue(), root.path("user").textValue(),
                labelsOf(root.path("labels")));
    }

    private static Map<String, String> labelsOf(JsonNode object) {
        Map<String, String> labels = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    public static Path sidecarOf(Path squashfs) {
        return squashfs.resolveSibling(squashfs.getFileName() + ".json");
    }

    /** The configuration stored beside {@code squashfs}, or empty for a bare squashfs file. */
    public static Optional<ImageConfig> readBeside(Path squashfs) {
        Path file = sidecarOf(squashfs);
        try {
            return Optional.of(fromJson(Json.read(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SlipwayException("cannot read image configuration " + file + ": " + e.getMessage(), e);
        }
    }

    public void writeBeside(Path squashfs) {
        Path file = sidecarOf(squashfs);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try {
            Files.writeString(tmp, Json.pretty(toJson()));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SlipwayException("cannot write image configuration " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // Best effort: the rename either happened or the temp file is all that is left.
            }
        }
    }
}
