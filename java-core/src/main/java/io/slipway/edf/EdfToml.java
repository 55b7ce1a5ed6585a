package io.slipway.edf;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.Toml;

/**
 * A resolved EDF written back as a self-contained EDF: resolving the output gives the same
 * environment, so '$' is written as "$$" and unset variables as "".
 */
public final class EdfToml {

    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private EdfToml() {}

    public static String write(ResolvedEdf edf) {
        StringBuilder out = new StringBuilder();
        out.append("# Resolved from: ").append(String.join(", ", edf.sources())).append('\n');
        out.append("image = ").append(string(edf.image())).append('\n');
        if (edf.containerfile() != null) {
            out.append("containerfile = ").append(string(edf.containerfile())).append('\n');
        }
        if (edf.workdir() != null) {
            out.append("workdir = ").append(string(edf.workdir())).append('\n');
        }
        out.append("entrypoint = ").append(edf.entrypoint()).append('\n');
        out.append("writable = ").append(edf.writable()).append('\n');
        array(out, "mounts", edf.mounts().stream().map(Mount::toEdfString).toList());
        array(out, "devices", edf.devices());
        table(out, "env", edf.env());
        table(out, "annotations", edf.annotations());
        return out.toString();
    }

    private static void array(StringBuilder out, String key, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        out.append(key).append(" = [\n");
        values.forEach(v -> out.append("  ").append(string(v)).append(",\n"));
        out.append("]\n");
    }

    private static void table(StringBuilder out, String name, Map<String, String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        out.append("\n[").append(name).append("]\n");
        entries.forEach((key, value) -> out.append(key(key)).append(" = ")
                .append(string(value == null ? "" : value)).append('\n'));
    }

    private static String key(String key) {
        return BARE_KEY.matcher(key).matches() ? key : "\"" + Toml.tomlEscape(key) + "\"";
    }

    private static String string(String value) {
        return "\"" + Toml.tomlEscape(value.replace("$", "$$")) + "\"";
    }
}
