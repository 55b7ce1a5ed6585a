package io.slipway.runtime;

import io.slipway.SlipwayException;
import io.slipway.edf.Mount;
import io.slipway.image.ImageConfig;
import io.slipway.image.ImportedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Plans a container from the request, the image and the settings. Pure apart from reading the
 * host's files (mount sources, mounts.d, environ.d), so every rule here is unit-tested.
 */
public final class ContainerPlanner {

    /**
     * How a kept container's argv names the keeper: the descriptor slipway-switchroot opens the
     * host's slipway-keeper on before the pivot ({@code SLIPWAY_KEEPER_REF} in spank-c/helper.h;
     * the two must agree). An entrypoint reaches the keeper through this name in its "$@".
     */
    public static final String KEEPER = "/proc/self/fd/77";

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private ContainerPlanner() {}

    /** Plans a container that runs the request's command (or the image's) to its end: {@code slipway run}. */
    public static ContainerSpec plan(String id, ContainerRequest request, ImportedImage image, RuntimeSettings settings,
            Identity host, Map<String, String> hostEnv) {
        return plan(id, request, image, settings, host, hostEnv,
                () -> argv(request.entrypoint(), image.config(), request.command()));
    }

    /**
     * Plans a kept container (the Slurm mode, {@link ContainerStarter#startKept}): the same
     * container, but its process ends as the keeper instead of running a command, so the request
     * must name none; see {@link #keeperArgv}.
     */
    public static ContainerSpec planKept(String id, ContainerRequest request, ImportedImage image,
            RuntimeSettings settings, Identity host, Map<String, String> hostEnv) {
        if (!request.command().isEmpty()) {
            throw new SlipwayException("a kept container runs no command (tasks join it); got " + request.command());
        }
        return plan(id, request, image, settings, host, hostEnv,
                () -> keeperArgv(request.entrypoint(), image.config()));
    }

    private static ContainerSpec plan(String id, ContainerRequest request, ImportedImage image,
            RuntimeSettings settings, Identity host, Map<String, String> hostEnv, Supplier<List<String>> argvOf) {
        Identity inside = settings.remapRoot() ? host.asRoot() : host;
        ImageConfig config = image.config();
        List<FstabEntry> system = new ArrayList<>(systemMounts());
        List<Mount> site = new ArrayList<>();
        for (String spec : settings.siteMounts()) {
            site.add(ContainerRequest.parseMount(spec, Path.of("/")));
        }
        for (Mount m : site) {
            system.add(bindOf(m, "site mount"));
        }
        system.addAll(configFstabs(settings.configDirs(), hostEnv));
        List<FstabEntry> user = new ArrayList<>();
        for (Mount m : request.mounts()) {
            user.add(bindOf(m, "EDF mount"));
        }
        for (String device : request.devices()) {
            user.add(device(device));
        }
        Map<String, String> env = environment(hostEnv, config.envMap(), inside);
        env.putAll(environD(settings.configDirs(), hostEnv));
        String workdir = workdir(request.workdir(), config.workingDir());
        // The process starts in the workdir, so PWD names it, as Enroot's /etc/rc does with
        // `cd WORKDIR && unset OLDPWD`: the caller's PWD is a host directory, and a kept
        // container's environment becomes every Slurm task's (whose cwd is the workdir).
        env.put("PWD", workdir);
        env.remove("OLDPWD");
        List<String> argv = argvOf.get();
        boolean writable = settings.writable() != null ? settings.writable() : request.writable();
        List<String> prepare = List.of();
        if (!settings.remapRoot() && host.uid() != 0) {
            Set<String> dirs = new LinkedHashSet<>();
            Stream.concat(system.stream(), user.stream()).forEach(e -> dirs.add(parentOf(e.target())));
            dirs.add("/etc");
            dirs.add(parentOf(workdir));
            prepare = List.copyOf(dirs);
        }
        boolean hasBindMounts = !site.isEmpty() || !request.mounts().isEmpty();
        return new ContainerSpec(id, image, inside, settings.remapRoot(), writable, settings.nativeOverlay(), system,
                user, env, request.env(), workdir, argv, request.annotations(), prepare, hasBindMounts);
    }

    /** /dev (a tmpfs with the usual nodes, the host's /dev/pts and /dev/shm), /proc, /sys read-only, /tmp, host files. */
    public static List<FstabEntry> systemMounts() {
        List<FstabEntry> out = new ArrayList<>();
        out.add(new FstabEntry("tmpfs", "/dev", "tmpfs", List.of("nosuid", "noexec", "mode=0755", "x-create=dir")));
        for (String node : List.of("null", "zero", "full", "random", "urandom", "tty")) {
            out.add(FstabEntry.bind("/dev/" + node, "/dev/" + node, List.of("bind", "nosuid", "noexec", "x-create=file",
                    "nofail")));
        }
        out.add(FstabEntry.bind("/dev/pts", "/dev/pts", List.of("rbind", "nosuid", "noexec", "x-create=dir", "nofail")));
        out.add(new FstabEntry("pts/ptmx", "/dev/ptmx", "symlink", List.of()));
        out.add(new FstabEntry("/proc/self/fd", "/dev/fd", "symlink", List.of()));
        out.add(new FstabEntry("/proc/self/fd/0", "/dev/stdin", "symlink", List.of()));
        out.add(new FstabEntry("/proc/self/fd/1", "/dev/stdout", "symlink", List.of()));
        out.add(new FstabEntry("/proc/self/fd/2", "/dev/stderr", "symlink", List.of()));
        out.add(FstabEntry.bind("/dev/shm", "/dev/shm", List.of("rbind", "nosuid", "nodev", "x-create=dir", "nofail")));
        out.add(FstabEntry.bind("/proc", "/proc", List.of("rbind", "nosuid", "nodev", "noexec", "x-create=dir")));
        out.add(FstabEntry.bind("/sys", "/sys", List.of("rbind", "ro", "nosuid", "nodev", "noexec", "x-create=dir")));
        out.add(new FstabEntry("tmpfs", "/tmp", "tmpfs", List.of("nosuid", "nodev", "mode=1777", "x-create=dir")));
        out.add(FstabEntry.bind("/etc/hosts", "/etc/hosts", List.of("bind", "ro", "nosuid", "nodev", "x-create=file",
                "nofail")));
        out.add(FstabEntry.bind("/etc/resolv.conf", "/etc/resolv.conf", List.of("bind", "ro", "nosuid", "nodev",
                "x-create=file", "nofail")));
        return out;
    }

    /** An EDF-style bind mount; the source must exist. rbind unless "bind" is asked for. */
    public static FstabEntry bindOf(Mount m, String what) {
        Path source = Path.of(m.source());
        if (!Files.exists(source)) {
            String prefix = m.where() == null ? what : m.where() + ": " + what;
            throw new SlipwayException(prefix + " '" + m.toEdfString() + "': source " + source + " does not exist");
        }
        List<String> options = new ArrayList<>();
        options.add(m.flags().contains("bind") ? "bind" : "rbind");
        for (String f : m.flags()) {
            if (!f.equals("bind") && !f.equals("rbind")) {
                options.add(f);
            }
        }
        options.add(Files.isDirectory(source) ? "x-create=dir" : "x-create=file");
        return FstabEntry.bind(source.toString(), m.destination(), options);
    }

    /** An EDF device, {@code HOST[:CONTAINER][:PERMISSIONS]}: the host node bound in (permissions are not enforced). */
    public static FstabEntry device(String spec) {
        String[] parts = spec.split(":", -1);
        String host = parts[0];
        String inside = parts.length > 1 && parts[1].startsWith("/") ? parts[1] : host;
        if (!host.startsWith("/")) {
            throw new SlipwayException("device '" + spec + "': the host path must be absolute");
        }
        if (!Files.exists(Path.of(host))) {
            throw new SlipwayException("device '" + spec + "': " + host + " does not exist");
        }
        return FstabEntry.bind(host, inside, List.of("bind", "nosuid", "x-create=file"));
    }

    /** Host environment, then the image's Env (image wins), then HOME, USER and LOGNAME of the user inside. */
    public static Map<String, String> environment(Map<String, String> host, Map<String, String> image, Identity inside) {
        Map<String, String> env = new LinkedHashMap<>(host);
        env.putAll(image);
        env.put("HOME", inside.home());
        env.put("USER", inside.user());
        env.put("LOGNAME", inside.user());
        return env;
    }

    /** Applies EDF (or command-line) variables last: they win, and a null or empty value unsets. */
    public static Map<String, String> applyOverrides(Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> out = new LinkedHashMap<>(env);
        overrides.forEach((k, v) -> {
            if (v == null || v.isEmpty()) {
                out.remove(k);
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    /** EDF workdir, else image WorkingDir, else /. */
    public static String workdir(String requested, String image) {
        if (requested != null && !requested.isEmpty()) {
            return requested;
        }
        return image != null && !image.isEmpty() ? image : "/";
    }

    /** Entrypoint on: image Entrypoint + (command, else image Cmd). Off: command, else image Cmd. */
    public static List<String> argv(boolean entrypoint, ImageConfig image, List<String> command) {
        List<String> out = new ArrayList<>();
        if (entrypoint) {
            out.addAll(image.entrypoint());
        }
        out.addAll(command.isEmpty() ? image.cmd() : command);
        if (out.isEmpty()) {
            throw new SlipwayException("no command to run: give one, or use an image with an Entrypoint or Cmd");
        }
        return out;
    }

    /**
     * A kept container's argv: the keeper alone with the entrypoint off; with it on, the image
     * Entrypoint with the keeper as its argument (never the image Cmd), so the entrypoint's
     * environment and directory changes become the container's when it execs "$@", as with
     * Pyxis's {@code sh -c 'kill -STOP $$'}.
     */
    public static List<String> keeperArgv(boolean entrypoint, ImageConfig image) {
        List<String> out = new ArrayList<>();
        if (entrypoint) {
            out.addAll(image.entrypoint());
        }
        out.add(KEEPER);
        return out;
    }

    /** Whether argv was planned by {@link #planKept}. */
    public static boolean isKept(List<String> argv) {
        return !argv.isEmpty() && argv.get(argv.size() - 1).equals(KEEPER);
    }

    /** {@code ${VAR}} replaced by the host value, empty when unset, as Enroot's envsubst does. */
    public static String envsubst(String text, Map<String, String> env) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(m.group(1), "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code KEY=VALUE} lines (Enroot's environ format): comments and malformed lines dropped, quotes removed. */
    public static Map<String, String> parseEnviron(List<String> lines, Map<String, String> substitute) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || eq <= 0 || !line.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")
                    || line.startsWith("ENROOT_")) {
                continue;
            }
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            out.put(line.substring(0, eq), substitute == null ? value : envsubst(value, substitute));
        }
        return out;
    }

    static List<FstabEntry> configFstabs(List<Path> dirs, Map<String, String> env) {
        List<FstabEntry> out = new ArrayList<>();
        for (Path file : configFiles(dirs, "mounts.d", ".fstab")) {
            for (String line : Identity.lines(file)) {
                FstabEntry.parse(envsubst(line, env)).ifPresent(out::add);
            }
        }
        return out;
    }

    static Map<String, String> environD(List<Path> dirs, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Path file : configFiles(dirs, "environ.d", ".env")) {
            out.putAll(parseEnviron(Identity.lines(file), env));
        }
        return out;
    }

    /** Files with {@code suffix} in {@code sub} of each directory: directories in order, names sorted. */
    public static List<Path> configFiles(List<Path> dirs, String sub, String suffix) {
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            Path d = dir.resolve(sub);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> list = Files.list(d)) {
                list.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new SlipwayException("cannot list " + d + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    static String parentOf(String target) {
        Path p = Path.of("/").resolve(target.startsWith("/") ? target.substring(1) : target).normalize();
        Path parent = p.getParent();
        return parent == null ? "/" : parent.toString();
    }
}
