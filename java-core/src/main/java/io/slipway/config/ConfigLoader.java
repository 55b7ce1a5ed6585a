package io.slipway.config;

import io.slipway.SlipwayException;
import io.slipway.toml.ParsedFileCache;
import io.slipway.toml.TomlDocument;
import io.slipway.toml.TomlTypes;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.tomlj.TomlArray;

/**
 * Finds and reads the configuration file. The file is optional at its default location
 * (defaults apply) but required when {@code SLIPWAY_CONFIG} names it.
 */
public final class ConfigLoader {

    public static final String CONFIG_VARIABLE = "SLIPWAY_CONFIG";

    private ConfigLoader() {}

    /** Mutable while one file is read; becomes a {@link SlipwayConfig}. */
    private static final class Values {
        List<Path> edfSystemSearchPath;
        List<String> insecureRegistries = List.of();
        List<Path> hooksDirs;
        int parallelDownloads = ImageSettings.DEFAULTS.parallelDownloads();
        int transferAttempts = ImageSettings.DEFAULTS.transferAttempts();
        Optional<Path> caFile = ImageSettings.DEFAULTS.caFile();
        String compression = ImageSettings.DEFAULTS.compression();
        String builder = ImageSettings.DEFAULTS.builder();
        Optional<String> store = Optional.empty();
        Path runtimePath;
        Path enrootSysconfPath;
        List<String> siteMounts = List.of();
    }

    /** Every key the file may hold, and how it is read. Keep docs/admin.md in step with this. */
    private static final Map<String, BiConsumer<Setting, Values>> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("edf_system_search_path", (s, v) -> v.edfSystemSearchPath = s.absolutePaths(true));
        KEYS.put("insecure_registries", (s, v) -> v.insecureRegistries = s.strings());
        KEYS.put("hooks_dirs", (s, v) -> v.hooksDirs = s.absolutePaths(false));
        KEYS.put("image_parallel_downloads", (s, v) -> v.parallelDownloads = s.integer(1, 64));
        KEYS.put("image_transfer_attempts", (s, v) -> v.transferAttempts = s.integer(1, 100));
        KEYS.put("image_ca_file", (s, v) -> v.caFile = Optional.of(s.absolutePath()));
        KEYS.put("image_compression", (s, v) -> v.compression = s.matching(
                "(gzip|lzo|lz4|xz|lzma|zstd)(:[0-9]{1,2})?", "a compressor NAME[:LEVEL] (gzip, lzo, lz4, xz, lzma, zstd)"));
        KEYS.put("image_builder", (s, v) -> v.builder = s.matching("[^\\s]+", "a program name or path"));
        KEYS.put("image_store", (s, v) -> v.store = Optional.of(s.matching(
                "/.*", "an absolute path, which may name ${USER}, ${HOME} or ${UID}")));
        KEYS.put("runtime_path", (s, v) -> v.runtimePath = s.absolutePath());
        KEYS.put("enroot_sysconf_path", (s, v) -> v.enrootSysconfPath = s.absolutePath());
        KEYS.put("site_mounts", (s, v) -> v.siteMounts = s.strings());
    }

    /** Loads the configuration that applies to a process with environment {@code env}. */
    public static SlipwayConfig load(Map<String, String> env, Optional<Installation> installation) {
        Optional<Path> file = fileFor(env, installation);
        return file.map(f -> read(f, named(env) != null, ParsedFileCache.forUser(env, Installation.buildSignature()))).orElseGet(ConfigLoader::defaults);
    }

    /** The file {@link #load} reads (which may not exist when it is the installation's default), if any. */
    public static Optional<Path> fileFor(Map<String, String> env, Optional<Installation> installation) {
        String named = named(env);
        if (named != null) {
            Path file = Path.of(named);
            if (!file.isAbsolute()) {
                throw new SlipwayException(CONFIG_VARIABLE + "=" + named + " must be an absolute path");
            }
            return Optional.of(file);
        }
        return installation.map(Installation::defaultConfigFile);
    }

    private static String named(Map<String, String> env) {
        String named = env.get(CONFIG_VARIABLE);
        return named == null || named.isEmpty() ? null : named;
    }

    /** Settings when there is neither an installation nor a named file (unit tests, IDE runs). */
    public static SlipwayConfig defaults() {
        return new SlipwayConfig(Optional.empty(), List.of(), List.of(), List.of());
    }

    public static SlipwayConfig read(Path file, boolean required) {
        return read(file, required, ParsedFileCache.none());
    }

    /** As {@link #read(Path, boolean)}, taking the settings from {@code cache} while the file is unchanged. */
    public static SlipwayConfig read(Path file, boolean required, ParsedFileCache cache) {
        ParsedFileCache.Entry entry = cache.entry("config", file);
        Optional<SlipwayConfig> kept = entry.value().flatMap(ConfigJson::read);
        if (kept.isPresent()) {
            return kept.get();
        }
        SlipwayConfig config = parse(file, required);
        if (config.file().isPresent()) {
            entry.store(ConfigJson.write(config));
        }
        return config;
    }

    private static SlipwayConfig parse(Path file, boolean required) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            if (required) {
                throw new SlipwayException("configuration file " + file + " does not exist");
            }
            return withDefaults(file, new Values(), Optional.empty());
        } catch (CharacterCodingException e) {
            throw new SlipwayException(file + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new SlipwayException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        TomlDocument doc = TomlDocument.parse(file, text);
        Values values = new Values();
        for (String key : doc.root().keySet()) {
            var reader = KEYS.get(key);
            if (reader == null) {
                throw new SlipwayException(doc.where(doc.root().inputPositionOf(List.of(key)))
                        + ": unknown configuration key '" + key + "'; known keys: "
                        + String.join(", ", KEYS.keySet()));
            }
            reader.accept(new Setting(doc, key), values);
        }
        return withDefaults(file, values, Optional.of(file));
    }

    /** Directories next to the configuration file are the defaults, so a relocated tree works. */
    private static SlipwayConfig withDefaults(Path file, Values v, Optional<Path> source) {
        Path dir = file.toAbsolutePath().getParent();
        List<Path> edf = v.edfSystemSearchPath != null ? v.edfSystemSearchPath : List.of(dir.resolve("edf"));
        List<Path> hooks = v.hooksDirs != null ? v.hooksDirs : List.of(dir.resolve("hooks.d"));
        Path enroot = v.enrootSysconfPath != null ? v.enrootSysconfPath : dir.resolve("enroot");
        return new SlipwayConfig(source, edf, v.insecureRegistries, hooks, Optional.ofNullable(v.runtimePath),
                Optional.of(enroot), v.siteMounts, new ImageSettings(v.parallelDownloads, v.transferAttempts,
                        v.caFile, v.compression, v.builder, v.store));
    }

    /** One key of the file, with the conversions the key table uses. */
    private record Setting(TomlDocument doc, String key) {

        private SlipwayException wrong(String expected) {
            Object value = doc.root().get(List.of(key));
            return new SlipwayException(doc.where(doc.root().inputPositionOf(List.of(key))) + ": '" + key
                    + "' must be " + expected + ", found " + TomlTypes.nameOf(value));
        }

        int integer(int min, int max) {
            Object value = doc.root().get(List.of(key));
            if (!(value instanceof Long n) || n < min || n > max) {
                throw wrong("an integer from " + min + " to " + max);
            }
            return n.intValue();
        }

        String matching(String regex, String expected) {
            Object value = doc.root().get(List.of(key));
            if (!(value instanceof String s) || !s.matches(regex)) {
                throw wrong(expected);
            }
            return s;
        }

        List<String> strings() {
            Object value = doc.root().get(List.of(key));
            if (!(value instanceof TomlArray array)) {
                throw wrong("an array of strings");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                if (!(array.get(i) instanceof String s)) {
                    throw wrong("an array of strings (element " + (i + 1) + " is "
                            + TomlTypes.nameOf(array.get(i)) + ")");
                }
                out.add(s);
            }
            return out;
        }

        Path absolutePath() {
            Object value = doc.root().get(List.of(key));
            if (!(value instanceof String s)) {
                throw wrong("a string (an absolute path)");
            }
            if (!s.startsWith("/")) {
                throw new SlipwayException(doc.where(doc.root().inputPositionOf(List.of(key))) + ": '"
                        + key + "' must be an absolute path, found '" + s + "'");
            }
            return Path.of(s).normalize();
        }

        /** An array of absolute paths; a colon-separated string too where {@code colonList}. */
        List<Path> absolutePaths(boolean colonList) {
            Object value = doc.root().get(List.of(key));
            List<String> items = new ArrayList<>();
            if (colonList && value instanceof String s) {
                for (String item : s.split(":")) {
                    if (!item.isEmpty()) {
                        items.add(item);
                    }
                }
            } else if (value instanceof TomlArray) {
                items.addAll(strings());
            } else {
                throw wrong(colonList ? "a colon-separated string or an array of strings"
                        : "an array of strings");
            }
            List<Path> out = new ArrayList<>();
            for (String item : items) {
                if (!item.startsWith("/")) {
                    throw new SlipwayException(doc.where(doc.root().inputPositionOf(List.of(key))) + ": '"
                            + key + "' entry '" + item + "' is not an absolute path");
                }
                out.add(Path.of(item).normalize());
            }
            return out;
        }
    }
}
