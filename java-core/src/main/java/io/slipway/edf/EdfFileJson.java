package io.slipway.edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link EdfFile} as JSON, every value with its field and {@code FILE:LINE:COL}: what the
 * parsed-file cache keeps and what travels with a job, so that neither needs the TOML parser
 * again and errors found later still name the line. A position in the file itself is written
 * {@code :LINE:COL}, which keeps a job's environment small.
 */
final class EdfFileJson {

    private EdfFileJson() {}

    static ObjectNode write(EdfFile f) {
        String path = f.path().toString();
        ObjectNode o = Json.object();
        o.put("path", path);
        o.set("bases", list(f.bases(), path));
        single(o, "image", f.image(), path);
        single(o, "containerfile", f.containerfile(), path);
        single(o, "workdir", f.workdir(), path);
        if (f.entrypoint() != null) {
            o.put("entrypoint", f.entrypoint());
        }
        if (f.writable() != null) {
            o.put("writable", f.writable());
        }
        o.set("mounts", list(f.mounts(), path));
        o.set("devices", list(f.devices(), path));
        o.set("env", map(f.env(), path));
        o.set("annotations", map(f.annotations(), path));
        return o;
    }

    /** The file {@link #write} wrote, or empty when {@code o} does not have its shape. */
    static Optional<EdfFile> read(JsonNode o) {
        try {
            String path = text(o.get("path"));
            return Optional.of(new EdfFile(Path.of(path), list(o.get("bases"), path),
                    located(o.get("image"), path), located(o.get("containerfile"), path),
                    located(o.get("workdir"), path), bool(o.get("entrypoint")), bool(o.get("writable")),
                    list(o.get("mounts"), path), list(o.get("devices"), path), map(o.get("env"), path),
                    map(o.get("annotations"), path)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void single(ObjectNode o, String key, Located value, String path) {
        if (value != null) {
            o.set(key, located(value, path));
        }
    }

    private static ObjectNode located(Located l, String path) {
        String where = l.where().startsWith(path + ":") ? l.where().substring(path.length()) : l.where();
        return Json.object().put("text", l.text()).put("field", l.field()).put("where", where);
    }

    private static ArrayNode list(List<Located> values, String path) {
        ArrayNode a = Json.array();
        values.forEach(l -> a.add(located(l, path)));
        return a;
    }

    private static ObjectNode map(Map<String, Located> values, String path) {
        ObjectNode o = Json.object();
        values.forEach((name, l) -> o.set(name, located(l, path)));
        return o;
    }

    private static Located located(JsonNode n, String path) {
        if (n == null) {
            return null;
        }
        String where = text(n.get("where"));
        return new Located(text(n.get("text")), text(n.get("field")), where.startsWith(":") ? path + where : where);
    }

    private static List<Located> list(JsonNode a, String path) {
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("not an array");
        }
        List<Located> out = new ArrayList<>();
        a.forEach(n -> out.add(located(n, path)));
        return out;
    }

    private static Map<String, Located> map(JsonNode o, String path) {
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        Map<String, Located> out = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> out.put(e.getKey(), located(e.getValue(), path)));
        return out;
    }

    private static Boolean bool(JsonNode n) {
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException("not a boolean");
        }
        return n.asBoolean();
    }

    private static String text(JsonNode n) {
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("not a string");
        }
        return n.asText();
    }
}
