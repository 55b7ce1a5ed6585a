package io.slipway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A {@link SlipwayConfig} as JSON, for the parsed-file cache: every value as the loader made it
 * (defaults filled in, paths absolute), so reading it back needs no checks beyond its shape.
 */
final class ConfigJson {

    private ConfigJson() {}

    static JsonNode write(SlipwayConfig c) {
        ObjectNode o = Json.object();
        c.file().ifPresent(f -> o.put("file", f.toString()));
        ArrayNode edf = o.putArray("edf_system_search_path");
        c.edfSystemSearchPath().forEach(p -> edf.add(p.toString()));
        c.insecureRegistries().forEach(o.putArray("insecure_registries")::add);
        ArrayNode hooks = o.putArray("hooks_dirs");
        c.hooksDirs().forEach(p -> hooks.add(p.toString()));
        c.runtimePath().ifPresent(p -> o.put("runtime_path", p.toString()));
        c.enrootSysconfPath().ifPresent(p -> o.put("enroot_sysconf_path", p.toString()));
        c.siteMounts().forEach(o.putArray("site_mounts")::add);
        ImageSettings i = c.image();
        ObjectNode image = o.putObject("image");
        image.put("parallel_downloads", i.parallelDownloads());
        image.put("transfer_attempts", i.transferAttempts());
        i.caFile().ifPresent(p -> image.put("ca_file", p.toString()));
        image.put("compression", i.compression());
        image.put("builder", i.builder());
        i.store().ifPresent(s -> image.put("store", s));
        return o;
    }

    /** The configuration {@link #write} wrote, or empty when {@code o} does not have its shape. */
    static Optional<SlipwayConfig> read(JsonNode o) {
        JsonNode image = o.path("image");
        if (!o.path("edf_system_search_path").isArray() || !o.path("insecure_registries").isArray()
                || !o.path("hooks_dirs").isArray() || !o.path("site_mounts").isArray()
                || !image.path("parallel_downloads").isInt() || !image.path("transfer_attempts").isInt()
                || !image.path("compression").isTextual() || !image.path("builder").isTextual()) {
            return Optional.empty();
        }
        return Optional.of(new SlipwayConfig(path(o, "file"), pathList(o.get("edf_system_search_path")),
                Json.texts(o.get("insecure_registries")), pathList(o.get("hooks_dirs")), path(o, "runtime_path"),
                path(o, "enroot_sysconf_path"), Json.texts(o.get("site_mounts")),
                new ImageSettings(image.get("parallel_downloads").asInt(), image.get("transfer_attempts").asInt(),
                        path(image, "ca_file"), image.get("compression").asText(), image.get("builder").asText(),
                        Optional.ofNullable(image.get("store")).map(JsonNode::asText))));
    }

    private static List<Path> pathList(JsonNode array) {
        return Json.texts(array).stream().map(Path::of).toList();
    }

    private static Optional<Path> path(JsonNode o, String field) {
        return Optional.ofNullable(o.get(field)).filter(JsonNode::isTextual).map(n -> Path.of(n.asText()));
    }
}
