package io.slipway.hooks.builtin;

import io.slipway.config.Installation;
import io.slipway.posix.ProgramSearch;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Slurm hook: the host's Slurm client commands work inside the container, so a batch script
 * run with {@code #SBATCH --environment} can start steps and query the queue.
 *
 * <p>Where things go, and why. The commands are bound one by one into a private directory,
 * {@value #CONTAINER_DIR}/bin (put first in PATH), never over the image's own files: an image
 * that ships its own Slurm keeps it at its path, and nothing of /usr/bin changes. Everything the
 * commands find by absolute path is bound at its host path, read-only: Slurm's library and
 * plugin directory (the commands' RUNPATH, and PluginDir), the configuration directory
 * (SLURM_CONF's, else /etc/slurm), the munge socket's directory, the SPANK plugins of
 * plugstack.conf (srun loads them; a missing required one fails every srun) and, for Slipway's
 * own plugin, the Slipway installation and the JVM it runs. Host libraries the image lacks
 * (libmunge, liblz4, the JVM's libstdc++...) go into {@value #CONTAINER_DIR}/lib, made known to
 * the loader by {@code /etc/ld.so.conf.d/slipway-slurm.conf} and an {@code ldconfig -r}; glibc
 * itself always comes from the image. Images that cannot run host programs (no glibc loader, such
 * as Alpine's musl) are left alone with a note, not an error: the hook is on by default.
 *
 * <p>Cost: it runs on every step. Without Slurm commands on the node, or with the hook turned
 * off, it returns after a few file checks; otherwise it reads ELF headers and the two linker
 * caches (no process start), and runs ldconfig only when a library had to be added.
 */
final class SlurmHook implements BuiltinHook {

    static final String NAME = "slurm";
    static final String CONTAINER_DIR = "/opt/slipway/slurm";
    static final List<String> COMMANDS = List.of("srun", "sbatch", "squeue", "scontrol", "sinfo", "scancel",
            "salloc", "sacct", "sstat", "sattach");
    static final String BIN_PATH = "/usr/bin:/usr/local/bin:/opt/slurm/bin";
    static final List<String> MUNGE_SOCKETS = List.of("/run/munge/munge.socket.2", "/var/run/munge/munge.socket.2");
    /** Directories never bound whole: a slurm.conf directly in one of them is bound alone. */
    private static final Set<String> SYSTEM_DIRS = Set.of("/", "/etc", "/usr", "/run", "/var", "/tmp", "/opt",
            "/home", "/var/run", "/usr/local", "/usr/local/etc");
    /** The JVM libraries the JNI host loads to run the submission check. */
    private static final List<String> JVM_LIBS = List.of("server/libjvm.so", "libjava.so", "libjimage.so",
            "libzip.so", "libnio.so", "libnet.so", "libverify.so", "libextnet.so");

    @Override
    public String name() {
        return NAME;
    }

    /** Whether a value says no: 0, no, false, off, n (any case). */
    static boolean falseLike(String v) {
        return v != null && Set.of("0", "no", "n", "false", "off").contains(v.trim().toLowerCase(Locale.ROOT));
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        if (falseLike(ctx.env().get("ENROOT_SLURM_HOOK"))) {
            out.note("off (ENROOT_SLURM_HOOK=" + ctx.env().get("ENROOT_SLURM_HOOK") + ")");
            return;
        }
        String binPath = ctx.setting("SLURM_BIN_PATH", BIN_PATH);
        Map<String, Path> commands = commands(binPath);
        if (commands.isEmpty()) {
            out.note("no Slurm commands in " + binPath + " on this node: nothing to add");
            return;
        }
        String interpreter = ElfFile.read(commands.values().iterator().next()).flatMap(ElfFile::interpreter).orElse("");
        if (!interpreter.isEmpty() && ctx.root().resolve(interpreter).isEmpty()) {
            out.note("the image has no " + interpreter + " (not a glibc image): Slurm commands not added");
            return;
        }
        String dir = ctx.setting("CONTAINER_DIR", CONTAINER_DIR);
        HostSide host = HostSide.of(commands, dir, ctx.hookEnv(), ctx.env(), ctx.bundle().getParent());
        for (Plan.Bind b : host.binds()) {
            if (b.readOnly()) {
                out.bindReadOnly(b.source(), b.target());
            } else {
                out.bind(b.source(), b.target());
            }
        }
        int added = libraries(ctx, out, dir, host.libraries());
        String path = ctx.env().get("PATH");
        out.setenv("PATH", dir + "/bin" + (path == null || path.isEmpty() ? "" : ":" + path));
        out.note("added " + String.join(" ", commands.keySet()) + " in " + dir + "/bin; " + host.binds().size()
                + " host paths; " + added + " host librar" + (added == 1 ? "y" : "ies") + " the image lacks"
                + (host.cached() ? " (host side from the cache)" : ""));
    }

    @Override
    public List<String> preparedPaths(HookPlan plan) {
        Map<String, String> env = plan.env();
        Path bundle = plan.bundle();
        Map<String, String> hookEnv = plan.hookEnv();
        if (falseLike(env.get("ENROOT_SLURM_HOOK"))) {
            return List.of();
        }
        Map<String, Path> commands = commands(hookEnv.getOrDefault("SLURM_BIN_PATH", BIN_PATH));
        if (commands.isEmpty()) {
            return List.of();
        }
        String dir = hookEnv.getOrDefault("CONTAINER_DIR", CONTAINER_DIR);
        Set<String> out = new LinkedHashSet<>(List.of(dir + "/bin", dir + "/lib", "/etc/ld.so.conf.d"));
        for (Plan.Bind b : HostSide.of(commands, dir, hookEnv, env, bundle.getParent()).binds()) {
            Path parent = Path.of(b.target()).getParent();
            if (parent != null) {
                out.add(parent.toString());
            }
        }
        return List.copyOf(out);
    }

    /**
     * The host side of the hook: the binds and the host libraries the commands, plugins and JVM
     * need. Working it out reads some 150 ELF files and the host's linker cache (tens of
     * milliseconds in a fresh JVM, on every step), so it is kept in the user's runtime directory
     * ({@value #CACHE}; a dot name, apart from the containers' directories) with the modification time and size of every file and directory it came
     * from, and worked out again when one of them changed (a Slurm upgrade, an edited slurm.conf).
     *
     * @param binds what to bind, host paths first
     * @param libraries soname to host file, glibc excluded
     * @param cached whether it came from the cache
     */
    record HostSide(List<Plan.Bind> binds, Map<String, String> libraries, boolean cached) {

        static final String CACHE = ".slipway-hook-slurm.cache";
        private static final String MAGIC = "slipway-slurm-hook 1";

        static HostSide of(Map<String, Path> commands, String dir, Map<String, String> hookEnv,
                Map<String, String> env, Path cacheDir) {
            Map<String, String> lookup = new LinkedHashMap<>(hookEnv);
            lookup.putAll(env);
            String key = String.join("\t", dir, commands.toString(), SlurmConf.locate(lookup).toString(),
                    hookEnv.getOrDefault("MUNGE_SOCKET", ""), System.getProperty("java.home"));
            Path file = cacheDir == null ? null : cacheDir.resolve(CACHE);
            Optional<HostSide> cached = file == null ? Optional.empty() : read(file, key);
            if (cached.isPresent()) {
                return cached.get();
            }
            Plan plan = Plan.of(commands, dir, hookEnv, env);
            Map<String, String> libs = new LinkedHashMap<>();
            HostLibraries.ofHost().needed(plan.objects, plan.bound).forEach((k, v) -> libs.put(k, v.toString()));
            HostSide side = new HostSide(List.copyOf(plan.binds), libs, false);
            if (file != null) {
                write(file, key, plan.inputs, side);
            }
            return side;
        }

        private static Optional<HostSide> read(Path file, String key) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                return Optional.empty();
            }
            if (lines.size() < 2 || !lines.get(0).equals(MAGIC) || !lines.get(1).equals("key\t" + key)) {
                return Optional.empty();
            }
            List<Plan.Bind> binds = new ArrayList<>();
            Map<String, String> libs = new LinkedHashMap<>();
            for (String line : lines.subList(2, lines.size())) {
                String[] f = line.split("\t");
                switch (f[0]) {
                    case "input" -> {
                        if (f.length != 3 || !f[1].equals(stamp(Path.of(f[2])))) {
                            return Optional.empty();
                        }
                    }
                    case "bind" -> binds.add(new Plan.Bind(f[2], f[3], f[1].equals("ro")));
                    case "lib" -> libs.put(f[1], f[2]);
                    default -> {
                        return Optional.empty();
                    }
                }
            }
            return Optional.of(new HostSide(List.copyOf(binds), libs, true));
        }

        private static void write(Path file, String key, Set<Path> inputs, HostSide side) {
            StringBuilder out = new StringBuilder(MAGIC).append("\nkey\t").append(key).append('\n');
            for (Path p : inputs) {
                out.append("input\t").append(stamp(p)).append('\t').append(p).append('\n');
            }
            for (Plan.Bind b : side.binds()) {
                out.append("bind\t").append(b.readOnly() ? "ro" : "rw").append('\t').append(b.source()).append('\t')
                        .append(b.target()).append('\n');
            }
            side.libraries().forEach((k, v) -> out.append("lib\t").append(k).append('\t').append(v).append('\n'));
            try {
                Path tmp = Files.createTempFile(file.getParent(), ".slurm-hook", ".tmp");
                Files.writeString(tmp, out);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                // Only a cache: the next start works it out again.
            }
        }

        /** Modification time (ns) and size, "-" when missing: what says a file changed. */
        private static String stamp(Path p) {
            try {
                var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
                return a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS) + ":" + a.size();
            } catch (IOException e) {
                return "-";
            }
        }
    }

    /**
     * What comes from the host, decided from the host alone (so the runtime can prepare the
     * mount points before the start): the binds, and the programs and plugins whose libraries
     * the image may lack.
     */
    private static final class Plan {
        record Bind(String source, String target, boolean readOnly) {}

        final List<Bind> binds = new ArrayList<>();
        final List<Path> objects = new ArrayList<>();
        final List<String> dirs = new ArrayList<>();
        final Set<String> bound = new LinkedHashSet<>();
        /** Every file and directory the plan was made from. */
        final Set<Path> inputs = new LinkedHashSet<>();

        static Plan of(Map<String, Path> commands, String dir, Map<String, String> hookEnv, Map<String, String> env) {
            Plan plan = new Plan();
            for (var c : commands.entrySet()) {
                plan.binds.add(new Bind(c.getValue().toString(), dir + "/bin/" + c.getKey(), true));
                plan.objects.add(c.getValue());
                plan.inputs.add(c.getValue());
                ElfFile.read(c.getValue()).ifPresent(e -> e.runpath().forEach(plan::hostDir));
            }
            Map<String, String> lookup = new LinkedHashMap<>(hookEnv);
            lookup.putAll(env);
            SlurmConf conf = SlurmConf.read(SlurmConf.locate(lookup));
            List<String> pluginDirs = new ArrayList<>();
            conf.get("PluginDir").ifPresent(p -> pluginDirs.addAll(List.of(p.split(":"))));
            if (pluginDirs.isEmpty()) {
                pluginDirs.addAll(plan.dirs);
            }
            pluginDirs.forEach(plan::hostDir);
            plan.inputs.addAll(conf.files());
            plan.inputs.add(Path.of("/etc/ld.so.cache"));
            plan.configuration(conf.file());
            plan.munge(conf, hookEnv);
            for (String pd : pluginDirs) {
                plan.objects.addAll(sharedObjects(Path.of(pd)));
            }
            List<Path> stackFiles = new ArrayList<>();
            List<List<String>> plugins = SlurmConf.spankPlugins(conf.plugstack(), stackFiles);
            plan.inputs.addAll(stackFiles);
            for (List<String> plugin : plugins) {
                Optional<Path> file = plugin(plugin.get(0), pluginDirs);
                if (file.isEmpty()) {
                    continue;
                }
                plan.hostFile(file.get());
                plan.objects.add(file.get());
                if (file.get().getFileName().toString().equals("spank_slipway.so")) {
                    plan.objects.addAll(plan.slipway(plugin.subList(1, plugin.size())));
                }
            }
            return plan;
        }

        boolean covered(Path p) {
            return bound.stream().anyMatch(b -> p.startsWith(Path.of(b)));
        }

        void hostDir(String d) {
            Optional<Path> real = real(Path.of(d)).filter(Files::isDirectory);
            if (real.isPresent() && !covered(real.get())) {
                binds.add(new Bind(real.get().toString(), real.get().toString(), true));
                bound.add(real.get().toString());
                dirs.add(real.get().toString());
                // A directory's time changes when files are added, removed or replaced (upgrades).
                inputs.add(real.get());
            }
        }

        void hostFile(Path f) {
            if (!covered(f)) {
                binds.add(new Bind(f.toString(), f.toString(), true));
                bound.add(f.toString());
            }
            inputs.add(f);
        }

        /** The configuration directory, or only slurm.conf when it sits in a system directory. */
        void configuration(Path file) {
            Optional<Path> real = real(file);
            if (real.isEmpty()) {
                return;
            }
            Path parent = real.get().getParent();
            if (parent == null || SYSTEM_DIRS.contains(parent.toString())) {
                hostFile(real.get());
            } else {
                hostDir(parent.toString());
            }
        }

        /** The munge socket's directory (MUNGE_SOCKET, AuthInfo socket=, munged's default), writable: clients connect. */
        void munge(SlurmConf conf, Map<String, String> hookEnv) {
            List<String> candidates = new ArrayList<>();
            String configured = hookEnv.get("MUNGE_SOCKET");
            if (configured != null && !configured.isEmpty()) {
                candidates.add(configured);
            }
            conf.mungeSocket().ifPresent(candidates::add);
            candidates.addAll(MUNGE_SOCKETS);
            for (String s : candidates) {
                Path socket = Path.of(s);
                inputs.add(socket);
                if (Files.exists(socket) && socket.getParent() != null) {
                    Optional<Path> d = real(socket.getParent());
                    if (d.isPresent() && !covered(d.get())) {
                        binds.add(new Bind(d.get().toString(), socket.getParent().toString(), false));
                        bound.add(d.get().toString());
                    }
                    return;
                }
            }
        }

        /**
         * Slipway's own SPANK plugin runs the Java core in srun (the submission check of
         * {@code srun --environment}): the installation's helpers, jar and configuration, the
         * {@code config=} file and the JVM, at their host paths. Returns the JVM's libraries.
         */
        List<Path> slipway(List<String> args) {
            Optional<Installation> inst = Installation.current();
            if (inst.isPresent()) {
                Path prefix = inst.get().prefix();
                for (Path p : List.of(prefix.resolve("libexec/slipway"), prefix.resolve("share/slipway"),
                        prefix.resolve("lib/slipway"), inst.get().sysconfdir().resolve("slipway"))) {
                    hostDir(p.toString());
                }
            }
            Path javaHome = Path.of(System.getProperty("java.home"));
            for (String a : args) {
                if (a.startsWith("config=")) {
                    real(Path.of(a.substring(7))).ifPresent(this::hostFile);
                } else if (a.startsWith("libjvm=")) {
                    Path lib = Path.of(a.substring(7)).getParent();
                    if (lib != null && lib.getParent() != null && lib.getParent().getParent() != null) {
                        javaHome = lib.getParent().getParent();
                    }
                }
            }
            Optional<Path> home = real(javaHome);
            if (home.isEmpty()) {
                return List.of();
            }
            hostDir(home.get().toString());
            inputs.add(home.get().resolve("lib"));
            inputs.add(home.get().resolve("conf"));
            // Debian's JDK keeps its configuration in /etc (lib/jvm.cfg, conf/* are links there).
            for (String sub : List.of("lib", "conf", "conf/security")) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(home.get().resolve(sub))) {
                    for (Path p : ds) {
                        if (Files.isSymbolicLink(p) && Files.readSymbolicLink(p).isAbsolute()) {
                            real(p).map(Path::getParent).ifPresent(d -> hostDir(d.toString()));
                        }
                    }
                } catch (IOException e) {
                    // Not there in this JDK layout.
                }
            }
            List<Path> libs = new ArrayList<>();
            for (String l : JVM_LIBS) {
                Path p = home.get().resolve("lib").resolve(l);
                if (Files.isRegularFile(p)) {
                    libs.add(p);
                }
            }
            return libs;
        }
    }

    /** The Slurm commands present in {@code binPath}, each by its real path (first directory wins). */
    static Map<String, Path> commands(String binPath) {
        Map<String, Path> out = new LinkedHashMap<>();
        List<Path> dirs = ProgramSearch.dirs(binPath);
        for (String name : COMMANDS) {
            ProgramSearch.find(name, dirs).flatMap(SlurmHook::real).ifPresent(r -> out.put(name, r));
        }
        return out;
    }

    /** A plugstack.conf plugin path: absolute, or relative to the plugin directories. */
    private static Optional<Path> plugin(String path, List<String> pluginDirs) {
        if (path.startsWith("/")) {
            return real(Path.of(path)).filter(Files::isRegularFile);
        }
        for (String d : pluginDirs) {
            Optional<Path> p = real(Path.of(d, path)).filter(Files::isRegularFile);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /**
     * Binds the host libraries the image's linker cache lacks into DIR/lib and refreshes the
     * cache; returns how many.
     */
    private static int libraries(HookContext ctx, HookActions out, String dir, Map<String, String> needed)
            throws IOException {
        Optional<LdSoCache> image = ctx.root().resolve("/etc/ld.so.cache").flatMap(LdSoCache::read);
        List<String> missing = needed.keySet().stream()
                .filter(s -> image.flatMap(c -> c.find(s)).isEmpty()).toList();
        if (missing.isEmpty()) {
            return 0;
        }
        if (image.isEmpty() || ctx.readonly()) {
            out.note("cannot add host libraries " + String.join(" ", missing) + ": "
                    + (image.isEmpty() ? "the image has no /etc/ld.so.cache" : "read-only root filesystem"));
            return 0;
        }
        for (String soname : missing) {
            out.bindReadOnly(needed.get(soname), dir + "/lib/" + soname);
        }
        // Later ldconfig runs (another hook's, or the user's) keep the directory through this file.
        Path conf = ctx.scratch(NAME).resolve("ld.so.conf");
        Files.writeString(conf, dir + "/lib\n");
        out.bindReadOnly(conf.toString(), "/etc/ld.so.conf.d/slipway-slurm.conf");
        Ldconfig.refresh(ctx, out, dir + "/lib");
        return missing.size();
    }

    /** The shared objects directly in {@code dir}. */
    private static List<Path> sharedObjects(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".so")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<Path> real(Path p) {
        try {
            return Optional.of(p.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
