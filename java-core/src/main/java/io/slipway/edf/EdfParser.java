package io.slipway.edf;

import io.slipway.SlipwayException;
import io.slipway.toml.TomlDocument;
import io.slipway.toml.TomlTypes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Turns the text of one EDF into an {@link EdfFile}, checking the type of every field. */
final class EdfParser {

    static final List<String> KNOWN_KEYS = List.of("base_environment", "image", "containerfile",
            "workdir", "entrypoint", "writable", "mounts", "devices", "env", "annotations");

    private final TomlDocument doc;
    private final Consumer<EdfWarning> warnings;

    private EdfParser(TomlDocument doc, Consumer<EdfWarning> warnings) {
        this.doc = doc;
        this.warnings = warnings;
    }

    static EdfFile parse(Path path, String text, Consumer<EdfWarning> warnings) {
        TomlDocument doc;
        try {
            doc = TomlDocument.parse(path, text);
        } catch (SlipwayException e) {
            throw EdfException.wrap(e);
        }
        return new EdfParser(doc, warnings).file();
    }

    private EdfFile file() {
        TomlTable root = doc.root();
        for (String key : root.keySet()) {
            if (!KNOWN_KEYS.contains(key)) {
                warnings.accept(new EdfWarning(whereKey(root, key), "unknown key '" + key
                        + "' ignored; known keys: " + String.join(", ", KNOWN_KEYS)));
            }
        }
        return new EdfFile(doc.file(),
                bases(root),
                string(root, "image"),
                string(root, "containerfile"),
                string(root, "workdir"),
                bool(root, "entrypoint"),
                bool(root, "writable"),
                stringArray(root, "mounts", "strings like \"SOURCE:DESTINATION[:FLAGS]\""),
                stringArray(root, "devices", "strings like \"HOST[:CONTAINER][:rwm]\""),
                env(root),
                annotations(root));
    }

    private String whereKey(TomlTable table, String key) {
        return doc.where(table.inputPositionOf(List.of(key)));
    }

    private EdfException wrongType(TomlTable table, String key, String field, String expected) {
        Object value = table.get(List.of(key));
        return new EdfException(whereKey(table, key),
                field + ": expected " + expected + ", found " + TomlTypes.nameOf(value));
    }

    private Located string(TomlTable root, String key) {
        if (!root.contains(List.of(key))) {
            return null;
        }
        if (!(root.get(List.of(key)) instanceof String s)) {
            throw wrongType(root, key, key, "a string");
        }
        return new Located(s, key, whereKey(root, key));
    }

    private Boolean bool(TomlTable root, String key) {
        if (!root.contains(List.of(key))) {
            return null;
        }
        if (!(root.get(List.of(key)) instanceof Boolean b)) {
            throw wrongType(root, key, key, "a boolean (true or false, without quotes)");
        }
        return b;
    }

    private List<Located> bases(TomlTable root) {
        String key = "base_environment";
        if (!root.contains(List.of(key))) {
            return List.of();
        }
        Object value = root.get(List.of(key));
        if (value instanceof String s) {
            return List.of(nonEmpty(new Located(s, key, whereKey(root, key))));
        }
        if (value instanceof TomlArray) {
            return stringArray(root, key, "EDF names or paths").stream().map(this::nonEmpty).toList();
        }
        throw wrongType(root, key, key, "a string or an array of strings (EDF names or paths)");
    }

    private Located nonEmpty(Located base) {
        if (base.text().isEmpty()) {
            throw base.error("an empty name is not an EDF name or path");
        }
        return base;
    }

    private List<Located> stringArray(TomlTable root, String key, String what) {
        if (!root.contains(List.of(key))) {
            return List.of();
        }
        if (!(root.get(List.of(key)) instanceof TomlArray array)) {
            throw wrongType(root, key, key, "an array of " + what);
        }
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String field = key + "[" + (i + 1) + "]";
            String where = doc.where(doc.elementStart(array.inputPositionOf(i)));
            if (!(array.get(i) instanceof String s)) {
                throw new EdfException(where, field + ": expected " + what + ", found "
                        + TomlTypes.nameOf(array.get(i)));
            }
            out.add(new Located(s, field, where));
        }
        return out;
    }

    private Map<String, Located> env(TomlTable root) {
        Map<String, Located> out = new LinkedHashMap<>();
        if (!root.contains(List.of("env"))) {
            return out;
        }
        if (!(root.get(List.of("env")) instanceof TomlTable table)) {
            throw wrongType(root, "env", "env", "a table of strings ([env] with NAME = \"value\" lines)");
        }
        for (String name : table.keySet()) {
            String field = "env." + name;
            Object value = table.get(List.of(name));
            if (value instanceof TomlTable) {
                throw new EdfException(whereKey(table, name), field + ": expected a string, found a table"
                        + " (a dotted key such as A.B = \"x\" makes a table; quote the name: \"A.B\" = \"x\")");
            }
            if (!(value instanceof String s)) {
                throw wrongType(table, name, field, "a string (use \"\" to unset the variable)");
            }
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new EdfException(whereKey(table, name),
                        field + ": not a valid environment variable name (it must be non-empty, without '=')");
            }
            out.put(name, new Located(s, field, whereKey(table, name)));
        }
        return out;
    }

    private Map<String, Located> annotations(TomlTable root) {
        Map<String, Located> out = new LinkedHashMap<>();
        if (!root.contains(List.of("annotations"))) {
            return out;
        }
        if (!(root.get(List.of("annotations")) instanceof TomlTable table)) {
            throw wrongType(root, "annotations", "annotations", "a table");
        }
        flatten(table, "", out);
        return out;
    }

    /**
     * {@code [annotations.com.hooks.ssh] enabled = "true"} and {@code com.hooks.ssh.enabled = "true"}
     * under {@code [annotations]} are the same annotation; a scalar of another type becomes its TOML
     * text, escaped so that expansion leaves it as written.
     */
    private void flatten(TomlTable table, String prefix, Map<String, Located> out) {
        for (String key : table.keySet()) {
            String name = prefix + key;
            Object value = table.get(List.of(key));
            String where = whereKey(table, key);
            if (value instanceof TomlTable sub) {
                flatten(sub, name + ".", out);
                continue;
            }
            String text = value instanceof String s ? s : tomlText(value).replace("$", "$$");
            Located previous = out.put(name, new Located(text, "annotations." + name, where));
            if (previous != null) {
                throw new EdfException(where, "annotations." + name + ": defined twice (also at "
                        + previous.where() + ")");
            }
        }
    }

    private static String tomlText(Object value) {
        if (value instanceof String s) {
            return "\"" + Toml.tomlEscape(s) + "\"";
        }
        if (value instanceof TomlArray array) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                items.add(tomlText(array.get(i)));
            }
            return "[" + String.join(", ", items) + "]";
        }
        if (value instanceof TomlTable table) {
            List<String> items = new ArrayList<>();
            for (String key : table.keySet()) {
                items.add("\"" + Toml.tomlEscape(key) + "\" = " + tomlText(table.get(List.of(key))));
            }
            return "{" + String.join(", ", items) + "}";
        }
        if (value instanceof Double d) {
            if (d.isNaN()) {
                return "nan";
            }
            if (d.isInfinite()) {
                return d > 0 ? "inf" : "-inf";
            }
        }
        return String.valueOf(value);
    }
}
