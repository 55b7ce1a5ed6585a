package io.slipway.runtime;

import io.slipway.SlipwayException;
import io.slipway.hooks.BundleConfig;
import io.slipway.hooks.HookRunner;
import io.slipway.hooks.OciHook;
import io.slipway.hooks.Stage;
import io.slipway.hooks.When;
import io.slipway.posix.Posix;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import sun.misc.Signal;

/**
 * Starts a planned container and waits for it. The process started here runs the helper chain
 *
 * <pre>
 * slipway-unshare -- slipway-rootfs -- slipway-mount system.fstab -- slipway-sync created --
 *   slipway-mount user.fstab -- [slipway-sync mounted --] slipway-switchroot [--sync] -- ARGV
 * </pre>
 *
 * so its pid becomes the container process. At each sync point the Java side does what must
 * happen there (shell hooks, identity files, hook mounts, OCI hooks) and answers "go".
 */
public final class ContainerStarter {

    private static final int SIGINT = 2;
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;
    private static final int SIGHUP = 1;

    private final RuntimeSettings settings;
    private final Map<String, String> hostEnv;
    private final PrintWriter err;
    private final HookRunner hookRunner;

    public ContainerStarter(RuntimeSettings settings, Map<String, String> hostEnv, PrintWriter err) {
        this.settings = settings;
        this.hostEnv = hostEnv;
        this.err = err;
        this.hookRunner = new HookRunner(settings.helper("nsexec"), m -> err.println("slipway: warning: " + m));
    }

    /** Runs the container to its end; returns the command's exit status (128+N when killed by signal N). */
    public int run(ContainerSpec spec, List<OciHook> allHooks) {
        When.Facts facts = new When.Facts(spec.annotations(), spec.argv().get(0), spec.hasBindMounts());
        List<OciHook> hooks = allHooks.stream().filter(h -> h.when().matches(facts)).toList();
        Path dir = createRuntimeDir(spec.id());
        try {
            return start(spec, hooks, dir);
        } finally {
            deleteTree(dir);
        }
    }

    private int start(ContainerSpec spec, List<OciHook> hooks, Path dir) {
        Path root = dir.resolve("rootfs");
        Path status = dir.resolve("status.fifo");
        Path control = dir.resolve("control.fifo");
        Path userFstab = dir.resolve("user.fstab");
        Path envFile = dir.resolve("environment");
        try {
            for (String sub : List.of("lower", "rw", "rootfs", "hooks")) {
                Files.createDirectory(dir.resolve(sub));
            }
            Files.writeString(dir.resolve("system.fstab"), fstab(spec.systemMounts()));
            Files.writeString(dir.resolve("prepare"), String.join("\n", spec.prepareDirs()) + "\n");
            Files.writeString(userFstab, "");
            Files.writeString(envFile, "");
        } catch (IOException e) {
            throw new SlipwayException("cannot write the container's plan under " + dir + ": " + e.getMessage(), e);
        }
        Posix.mkfifo(status);
        Posix.mkfifo(control);
        boolean syncMounted = hooks.stream().anyMatch(h -> h.stages().contains(Stage.PRESTART)
                || h.stages().contains(Stage.CREATE_RUNTIME) || h.stages().contains(Stage.CREATE_CONTAINER));
        boolean syncPivoted = hooks.stream().anyMatch(h -> h.stages().contains(Stage.START_CONTAINER));

        List<String> cmd = new ArrayList<>();
        cmd.add(settings.helper("unshare").toString());
        if (spec.remapRoot()) {
            cmd.add("--remap-root");
        }
        cmd.addAll(List.of("--", settings.helper("rootfs").toString()));
        if (!spec.nativeOverlay()) {
            cmd.add("--fuse-overlayfs");
        }
        if (!spec.prepareDirs().isEmpty()) {
            cmd.addAll(List.of("--prepare", dir.resolve("prepare").toString()));
        }
        cmd.addAll(List.of(spec.image().squashfs().toString(), dir.toString(), "--",
                settings.helper("mount").toString(), root.toString(), dir.resolve("system.fstab").toString(), "--",
                settings.helper("sync").toString(), status.toString(), control.toString(), "created", "--",
                settings.helper("mount").toString(), root.toString(), userFstab.toString(), "--"));
        if (syncMounted) {
            cmd.addAll(List.of(settings.helper("sync").toString(), status.toString(), control.toString(), "mounted",
                    "--"));
        }
        cmd.add(settings.helper("switchroot").toString());
        if (!spec.writable()) {
            cmd.add("--readonly");
        }
        if (syncPivoted) {
            cmd.addAll(List.of("--sync", status.toString(), control.toString()));
        }
        cmd.addAll(List.of("--envfile", envFile.toString(), "--workdir", spec.workdir(), root.toString(), "--"));
        cmd.addAll(spec.argv());

        try (RandomAccessFile statusFifo = new RandomAccessFile(status.toFile(), "rw");
                RandomAccessFile controlFifo = new RandomAccessFile(control.toFile(), "rw")) {
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            pb.environment().clear();
            pb.environment().putAll(hostEnv);
            Process process = pb.start();
            long pid = process.pid();
            forwardSignals(pid);
            BlockingQueue<String> events = readEvents(statusFifo);
            Map<String, String> annotations = spec.annotations();
            String bundle = dir.toString();
            try {
                await(events, process, "created");
                Map<String, String> env = prepareCreated(spec, dir, pid, userFstab);
                Files.write(envFile, environFile(env));
                go(controlFifo);
                if (syncMounted) {
                    await(events, process, "mounted");
                    writeBundle(spec, dir, env, hooks);
                    for (Stage stage : List.of(Stage.PRESTART, Stage.CREATE_RUNTIME, Stage.CREATE_CONTAINER)) {
                        hookRunner.run(stage, hooks, BundleConfig.state(spec.id(), stage, pid, bundle, annotations), pid);
                    }
                    go(controlFifo);
                }
                if (syncPivoted) {
                    await(events, process, "pivoted");
                    if (!syncMounted) {
                        writeBundle(spec, dir, env, hooks);
                    }
                    hookRunner.run(Stage.START_CONTAINER, hooks,
                            BundleConfig.state(spec.id(), Stage.START_CONTAINER, pid, bundle, annotations), pid);
                    go(controlFifo);
                }
                if (!syncMounted && !syncPivoted && hooks.stream().anyMatch(h -> !h.stages().isEmpty())) {
                    writeBundle(spec, dir, env, hooks);
                }
            } catch (SlipwayException | IOException e) {
                endEvents(statusFifo);
                Posix.kill(pid, SIGKILL);
                waitQuietly(process);
                throw e instanceof SlipwayException se ? se
                        : new SlipwayException("container start failed: " + e.getMessage(), e);
            }
            endEvents(statusFifo);
            hookRunner.run(Stage.POSTSTART, hooks, BundleConfig.state(spec.id(), Stage.POSTSTART, pid, bundle,
                    annotations), pid);
            int code = waitQuietly(process);
            hookRunner.run(Stage.POSTSTOP, hooks, BundleConfig.state(spec.id(), Stage.POSTSTOP, pid, bundle,
                    annotations), pid);
            return code;
        } catch (IOException e) {
            throw new SlipwayException("cannot start the container: " + e.getMessage(), e);
        }
    }

    /** At "created": shell hooks, identity files, hook mounts and the final environment. */
    private Map<String, String> prepareCreated(ContainerSpec spec, Path dir, long pid, Path userFstab)
            throws IOException {
        Path root = dir.resolve("rootfs");
        Path hookEnviron = dir.resolve("hooks/environ");
        Path hookMounts = dir.resolve("hooks/fstab");
        Files.writeString(hookEnviron, "");
        Files.writeString(hookMounts, "");
        new ShellHooks(settings, hostEnv, err).run(ContainerPlanner.configFiles(settings.configDirs(), "hooks.d", ".sh"),
                pid, root, hookEnviron, hookMounts, dir.resolve("hooks"));

        StringBuilder plan = new StringBuilder();
        Path inside = Path.of("/proc/" + pid + "/root").resolve(root.toString().substring(1));
        if (!spec.remapRoot()) {
            Files.writeString(dir.resolve("passwd"), spec.identity().passwd(imageFile(inside, "etc/passwd")));
            Files.writeString(dir.resolve("group"), spec.identity().group(imageFile(inside, "etc/group")));
            for (String f : List.of("passwd", "group")) {
                plan.append(FstabEntry.bind(dir.resolve(f).toString(), "/etc/" + f,
                        List.of("bind", "ro", "nosuid", "nodev", "x-create=file")).toLine());
            }
        }
        for (String line : Files.readAllLines(hookMounts)) {
            FstabEntry.parse(ContainerPlanner.envsubst(line, hostEnv)).ifPresent(e -> plan.append(e.toLine()));
        }
        for (FstabEntry e : spec.userMounts()) {
            plan.append(e.toLine());
        }
        Files.writeString(userFstab, plan.toString());

        Map<String, String> env = new LinkedHashMap<>(spec.environment());
        env.putAll(ContainerPlanner.parseEnviron(Files.readAllLines(hookEnviron), null));
        return ContainerPlanner.applyOverrides(env, spec.overrides());
    }

    private static List<String> imageFile(Path rootInNamespace, String name) {
        Path file = rootInNamespace.resolve(name);
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        return Identity.lines(file);
    }

    private void writeBundle(ContainerSpec spec, Path dir, Map<String, String> env, List<OciHook> hooks)
            throws IOException {
        List<BundleConfig.BundleMount> mounts = new ArrayList<>();
        for (FstabEntry e : Stream.concat(spec.systemMounts().stream(), spec.userMounts().stream()).toList()) {
            if (!e.type().equals("symlink")) {
                mounts.add(new BundleConfig.BundleMount(e.target(), e.source(), e.isBind() ? "bind" : e.type(),
                        e.options().stream().filter(o -> !o.startsWith("x-") && !o.equals("nofail")).toList()));
            }
        }
        var content = new BundleConfig.Content(dir.resolve("rootfs").toString(), !spec.writable(), mounts, spec.argv(),
                env, spec.workdir(), spec.identity().uid(), spec.identity().gid(), spec.annotations(), hooks);
        Files.writeString(dir.resolve("config.json"), BundleConfig.toJson(content).toPrettyString());
    }

    private static String fstab(List<FstabEntry> entries) {
        StringBuilder out = new StringBuilder();
        entries.forEach(e -> out.append(e.toLine()));
        return out.toString();
    }

    private static byte[] environFile(Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        env.forEach((k, v) -> out.append(k).append('=').append(v).append('\0'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static BlockingQueue<String> readEvents(RandomAccessFile fifo) {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try {
                String line;
                while ((line = fifo.readLine()) != null && !line.equals("end")) {
                    queue.add(line);
                }
            } catch (IOException ignored) {
                // Closed when the start is over.
            }
        }, "container-events");
        t.setDaemon(true);
        t.start();
        return queue;
    }

    private static void await(BlockingQueue<String> events, Process process, String word) {
        try {
            while (true) {
                String event = events.poll(20, TimeUnit.MILLISECONDS);
                if (event != null) {
                    if (event.startsWith(word + " ")) {
                        return;
                    }
                    throw new SlipwayException("container start: expected '" + word + "', got '" + event + "'");
                }
                if (!process.isAlive()) {
                    int code = process.waitFor();
                    throw new SlipwayException("the container failed to start (helper exit status " + code
                            + "); see the messages above");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlipwayException("interrupted while starting the container");
        }
    }

    /**
     * Ends the reader thread, which would otherwise sit in a native read that delays the JVM's
     * exit by 300 ms. This side holds the FIFO read-write, so it can write the word itself.
     */
    private static void endEvents(RandomAccessFile status) throws IOException {
        status.write("end\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void go(RandomAccessFile control) throws IOException {
        control.write("go\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static int waitQuietly(Process process) {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // Keep waiting: the container decides when it ends.
            }
        }
    }

    /**
     * SIGINT, SIGTERM and SIGHUP sent to slipway reach the container process. The handlers stay
     * until slipway exits, right after the container. (A terminal's ^C reaches the container
     * directly too, since it shares slipway's process group, so it may see SIGINT twice.)
     */
    private static void forwardSignals(long pid) {
        for (var entry : Map.of("INT", SIGINT, "TERM", SIGTERM, "HUP", SIGHUP).entrySet()) {
            try {
                Signal.handle(new Signal(entry.getKey()), s -> Posix.kill(pid, entry.getValue()));
            } catch (IllegalArgumentException e) {
                // The JVM reserves this one; leave it.
            }
        }
    }

    private Path createRuntimeDir(String id) {
        try {
            Path base = settings.runtimeDir();
            Files.createDirectories(base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path dir = base.resolve(id);
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return dir;
        } catch (IOException e) {
            throw new SlipwayException("cannot create the runtime directory under " + settings.runtimeDir() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort.
                }
            });
        } catch (IOException ignored) {
            // Best effort.
        }
    }
}
