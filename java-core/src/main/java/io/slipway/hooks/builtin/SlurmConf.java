package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The few settings of Slurm's configuration the Slurm-side hooks need (where the plugins, the
 * SPANK stack, the munge socket and the per-node directories are), read from the files rather
 * than asked of {@code scontrol show config}, which would cost a process start and a round trip
 * to slurmctld on every container start. Keys are case-insensitive, the first value wins as in
 * Slurm, {@code Include} lines are followed (relative to the file's directory).
 *
 * @param file the slurm.conf read
 * @param values keys (lower case) and values, quotes removed
 * @param files the files read (slurm.conf and its includes)
 */
public record SlurmConf(Path file, Map<String, String> values, List<Path> files) {

    /** Where Slurm looks when SLURM_CONF is not set (the Debian, RHEL and upstream default). */
    public static final Path DEFAULT = Path.of("/etc/slurm/slurm.conf");

    /** The configuration a Slurm client would use with this environment. */
    public static Path locate(Map<String, String> env) {
        String conf = env.get("SLURM_CONF");
        return conf != null && !conf.isEmpty() ? Path.of(conf) : DEFAULT;
    }

    /** Reads {@code file}; a missing or unreadable file gives no values. */
    public static SlurmConf read(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        readInto(file, values, files, 0);
        return new SlurmConf(file, values, List.copyOf(files));
    }

    private static void readInto(Path file, Map<String, String> values, List<Path> files, int depth) {
        files.add(file);
        List<String> lines = lines(file);
        for (String raw : lines) {
            String line = raw.replaceAll("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("include ") && depth < 8) {
                for (Path inc : glob(file.getParent(), line.substring(8).trim())) {
                    readInto(inc, values, files, depth + 1);
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            // Node and partition lines carry several key=value pairs; only the first is the line's key.
            values.putIfAbsent(key, unquote(line.substring(eq + 1).trim().split("\\s+")[0]));
        }
    }

    /** The value of {@code key}, with Slurm's %n (node name) and %h (host name) replaced. */
    public Optional<String> get(String key, String nodeName, String hostName) {
        String v = values.get(key.toLowerCase(Locale.ROOT));
        if (v == null || v.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(v.replace("%n", nodeName == null ? "" : nodeName).replace("%h", hostName == null ? ""
                : hostName));
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key.toLowerCase(Locale.ROOT))).filter(v -> !v.isEmpty());
    }

    /** The munge socket named by {@code AuthInfo=socket=PATH} (options are comma separated), if any. */
    public Optional<String> mungeSocket() {
        return get("AuthInfo").flatMap(info -> {
            for (String opt : info.split(",")) {
                String o = opt.trim();
                if (o.toLowerCase(Locale.ROOT).startsWith("socket=")) {
                    return Optional.of(o.substring(7));
                }
            }
            return Optional.empty();
        });
    }

    /** The SPANK plugin stack file: PlugStackConfig, else plugstack.conf beside slurm.conf. */
    public Path plugstack() {
        return get("PlugStackConfig").map(Path::of).orElse(file.resolveSibling("plugstack.conf"));
    }

    /**
     * The plugins a plugstack.conf loads ({@code required|optional PATH ARGS...}, {@code include
     * GLOB}), each with its arguments; relative paths are left for the caller to resolve against
     * PluginDir.
     */
    public static List<List<String>> spankPlugins(Path plugstack, List<Path> read) {
        List<List<String>> out = new ArrayList<>();
        spankInto(plugstack, out, read, 0);
        return out;
    }

    private static void spankInto(Path file, List<List<String>> out, List<Path> read, int depth) {
        read.add(file);
        List<String> lines = lines(file);
        for (String raw : lines) {
            String line = raw.replaceAll("#.*", "").trim();
            String[] f = line.split("\\s+");
            if (f.length >= 2 && (f[0].equals("required") || f[0].equals("optional"))) {
                out.add(List.of(f).subList(1, f.length));
            } else if (f.length >= 2 && f[0].equals("include") && depth < 8) {
                for (Path inc : glob(file.getParent(), f[1])) {
                    spankInto(inc, out, read, depth + 1);
                }
            }
        }
    }

    /** The lines of a file; none when it is missing or unreadable. */
    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The files a Slurm include pattern names: a path, or a directory and a file-name glob. */
    static List<Path> glob(Path base, String pattern) {
        Path p = base == null ? Path.of(unquote(pattern)) : base.resolve(unquote(pattern));
        if (!p.getFileName().toString().matches(".*[*?\\[].*")) {
            return Files.isRegularFile(p) ? List.of(p) : List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.getParent(), p.getFileName().toString())) {
            ds.forEach(out::add);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        out.sort(null);
        return out;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }
}
