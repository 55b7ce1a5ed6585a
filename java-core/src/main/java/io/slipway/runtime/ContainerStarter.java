package io.slipway.runtime;

import io.slipway.Json;
import io.slipway.SlipwayException;
import io.slipway.hooks.BundleConfig;
import io.slipway.hooks.HookFileTrust;
import io.slipway.hooks.HookRunner;
import io.slipway.hooks.OciHook;
import io.slipway.hooks.Stage;
import io.slipway.hooks.When;
import io.slipway.hooks.builtin.BuiltinHooks;
import io.slipway.hooks.builtin.RootView;
import io.slipway.posix.FileTrees;
import io.slipway.posix.Posix;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
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
 *
 * <p>Two modes. {@link #run} runs a command to its end on slipway's terminal. {@link #startKept}
 * (the Slurm mode) ends the chain in the keeper instead: slipway-unshare starts a new session,
 * slipway-switchroot opens the host's slipway-keeper and the status FIFO before the pivot and
 * execs the keeper from that descriptor (or the entrypoint, with the keeper as its "$@"), and the
 * keeper reports "ready PID" on the FIFO and stops itself. Tasks then join its namespaces, working
 * directory and environment; {@link #stopKept} ends it.
 */
public final class ContainerStarter {

    private static final int SIGINT = 2;
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;
    private static final int SIGHUP = 1;
    private static final int SIGCONT = 18;

    /** The output of a kept container's processes (helpers, entrypoint, keeper), in its runtime directory. */
    public static final String LOG = "container.log";

    /** How long a kept container's keeper has to exit on SIGTERM before SIGKILL. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final RuntimeSettings settings;
    private final Map<String, String> hostEnv;
    private final PrintWriter err;
    private final HookRunner hookRunner;
    private final List<String> hookNotes = new ArrayList<>();

    public ContainerStarter(RuntimeSettings settings, Map<String, String> hostEnv, PrintWriter err) {
        this.settings = settings;
        this.hostEnv = hostEnv;
        this.err = err;
        this.hookRunner = new HookRunner(settings.libexec(), m -> err.println("slipway: warning: " + m), hookNotes::add,
                hostEnv);
    }

    /** What built-in hooks reported during the starts so far, for verbose output. */
    public List<String> hookNotes() {
        return List.copyOf(hookNotes);
    }

    /** Runs the container to its end; returns the command's exit status (128+N when killed by signal N). */
    public int run(ContainerSpec spec, List<OciHook> allHooks) {
        List<OciHook> hooks = trustedActiveHooks(spec, allHooks);
        Path dir = createRuntimeDir(spec.id());
        try {
            Launch launch = new Launch(spec, hooks, dir, false);
            try {
                launch.start();
            } catch (RuntimeException e) {
                launch.poststopAfterFailure();
                throw e;
            }
            hookRunner.run(Stage.POSTSTART, hooks, launch.state(Stage.POSTSTART), launch.pid());
            int code = waitQuietly(launch.process);
            hookRunner.run(Stage.POSTSTOP, hooks, launch.state(Stage.POSTSTOP), launch.pid());
            return code;
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    /**
     * Starts a kept container (the Slurm mode): everything {@link #run} does up to the user's
     * command, which is replaced by the keeper ({@code spec} comes from
     * {@link ContainerPlanner#planKept}). The container runs in a session of its own, with stdin
     * {@code /dev/null} and its output in {@value #LOG} in the runtime directory, never on
     * slipway's streams. Returns once the keeper has reported ready and stopped itself and the
     * poststart hooks have run, leaving the runtime directory for {@link #stopKept}. On failure
     * the container's processes are killed, the runtime directory is removed and the exception
     * ends with the last lines of the container's output.
     */
    public KeptContainer startKept(ContainerSpec spec, List<OciHook> allHooks) {
        if (!ContainerPlanner.isKept(spec.argv())) {
            throw new IllegalArgumentException("the spec was not planned by ContainerPlanner.planKept: " + spec.argv());
        }
        List<OciHook> hooks = trustedActiveHooks(spec, allHooks);
        Path dir = createRuntimeDir(spec.id());
        Launch launch = new Launch(spec, hooks, dir, true);
        try {
            launch.start();
            hookRunner.run(Stage.POSTSTART, hooks, launch.state(Stage.POSTSTART), launch.pid());
            launch.keep();
            return new KeptContainer(spec.id(), launch.pid(), dir);
        } catch (RuntimeException e) {
            launch.abort();
            launch.poststopAfterFailure();
            String tail = logTail(dir.resolve(LOG), 20);
            removeRuntimeDir(dir);
            if (e instanceof SlipwayException && !tail.isEmpty()) {
                throw new SlipwayException(e.getMessage() + "\nthe container's output ended with:\n" + tail, e);
            }
            throw e;
        }
    }

    /**
     * Stops a kept container and removes its runtime directory. If the keeper is alive (same pid
     * and start time as in {@value KeptState#FILE}) it gets SIGTERM and SIGCONT, then after
     * {@link #STOP_GRACE} SIGKILL with its whole session; this returns once it is gone (it need
     * not be a child of the caller, and a zombie counts as gone). Its exit takes the FUSE daemons
     * and the container's mounts with it, so nothing is unmounted here. Then the poststop hooks
     * run (failures are warnings on {@code err}) and the directory is removed, its state last.
     * Idempotent: a directory that is gone is a no-op, and a keeper that is gone is not an error.
     *
     * @throws SlipwayException when {@code runtimeDir} is not a kept container's (no state file,
     *     or a malformed one: nothing is removed) or cannot be removed
     */
    public static void stopKept(Path runtimeDir, PrintWriter err) {
        if (!Files.exists(runtimeDir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Optional<KeptState> state = KeptState.read(runtimeDir);
        if (state.isEmpty()) {
            if (!Files.exists(runtimeDir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            throw new SlipwayException(runtimeDir + " is not a kept container's runtime directory (it has no "
                    + KeptState.FILE + ")");
        }
        KeptState s = state.get();
        terminate(s, err);
        // Poststop hooks run on the host, so the runner needs no nsexec helper.
        new HookRunner(null, m -> err.println("slipway: warning: " + m), m -> { }).run(Stage.POSTSTOP, s.poststop(),
                BundleConfig.state(s.id(), Stage.POSTSTOP, s.pid(), s.bundle().toString(), s.annotations()), s.pid());
        if (!removeRuntimeDir(runtimeDir)) {
            throw new SlipwayException("cannot remove the runtime directory " + runtimeDir);
        }
    }

    /**
     * Stops what a killed starter left in {@code base}: directories named {@code prefix*} whose
     * keeper is gone (their poststop hooks still run), and those older than {@code minAge} that
     * never got a state file. A live keeper's directory is left alone. Best effort: a problem
     * with one directory is a warning.
     */
    public static void sweepStaleKept(Path base, String prefix, Duration minAge, PrintWriter err) {
        if (!Files.isDirectory(base)) {
            return;
        }
        try (var dirs = Files.newDirectoryStream(base, prefix + "*")) {
            for (Path dir : dirs) {
                try {
                    Optional<KeptState> state = KeptState.read(dir);
                    if (state.isPresent() && !ProcStat.alive(state.get().pid(), state.get().startTime())) {
                        stopKept(dir, err);
                    } else if (state.isEmpty() && Files.getLastModifiedTime(dir).toInstant()
                            .isBefore(java.time.Instant.now().minus(minAge))) {
                        removeRuntimeDir(dir);
                    }
                } catch (IOException | RuntimeException e) {
                    err.println("slipway: warning: cannot clean up " + dir + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            err.println("slipway: warning: cannot list " + base + ": " + e.getMessage());
        }
    }

    private static void terminate(KeptState s, PrintWriter err) {
        OptionalInt pidfd = Posix.pidfdOpen(s.pid());
        if (pidfd.isEmpty()) {
            return;
        }
        int fd = pidfd.getAsInt();
        try {
            // The pidfd names the process that has the pid now: the keeper only if the start time matches.
            if (!ProcStat.alive(s.pid(), s.startTime())) {
                return;
            }
            Posix.pidfdSignal(fd, SIGTERM);
            Posix.pidfdSignal(fd, SIGCONT);
            if (awaitGone(s, STOP_GRACE)) {
                return;
            }
            // Its session (slipway-unshare --setsid) holds the FUSE daemons and anything the entrypoint left.
            if (ProcStat.of(s.pid()).filter(p -> p.startTime() == s.startTime() && p.pgrp() == s.pid()).isPresent()) {
                Posix.kill(-s.pid(), SIGKILL);
            }
            Posix.pidfdSignal(fd, SIGKILL);
            if (!awaitGone(s, Duration.ofSeconds(10))) {
                err.println("slipway: warning: the keeper (pid " + s.pid() + ") did not exit");
            }
        } finally {
            Posix.close(fd);
        }
    }

    private static boolean awaitGone(KeptState s, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ProcStat.alive(s.pid(), s.startTime())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(10);
        }
        return true;
    }

    /** The hooks a start runs, each checked to be changeable only by root or the caller. */
    private static List<OciHook> trustedActiveHooks(ContainerSpec spec, List<OciHook> allHooks) {
        List<OciHook> hooks = activeHooks(spec, allHooks);
        int uid = Posix.getuid();
        hooks.forEach(h -> HookFileTrust.require(h, uid));
        return hooks;
    }

    /** The hooks whose {@code when} conditions hold for {@code spec}: the ones a start runs. */
    public static List<OciHook> activeHooks(ContainerSpec spec, List<OciHook> allHooks) {
        When.Facts facts = new When.Facts(spec.annotations(), spec.argv().get(0), spec.hasBindMounts());
        return allHooks.stream().filter(h -> h.when().matches(facts))
                .filter(h -> !BuiltinHooks.disabledBy(h, spec.annotations())).toList();
    }

    /** One start of the helper chain, led through its sync points. */
    private final class Launch {

        private final ContainerSpec spec;
        private final List<OciHook> hooks;
        private final Path dir;
        private final boolean kept;
        private Process process;
        private BlockingQueue<String> events;
        private Thread onExit;
        private boolean killed;
        private List<String> prepare;

        Launch(ContainerSpec spec, List<OciHook> hooks, Path dir, boolean kept) {
            this.spec = spec;
            this.hooks = hooks;
            this.dir = dir;
            this.kept = kept;
        }

        long pid() {
            return process.pid();
        }

        /**
         * The directories to make the user's (none when remapped to root): the spec's, and the
         * paths the active built-in hooks will change. Worked out once per start.
         */
        List<String> prepareDirs() {
            if (prepare == null) {
                if (spec.prepareDirs().isEmpty()) {
                    prepare = List.of();
                } else {
                    Set<String> dirs = new LinkedHashSet<>(spec.prepareDirs());
                    dirs.addAll(BuiltinHooks.preparedPaths(hooks, dir,
                            ContainerPlanner.applyOverrides(spec.environment(), spec.overrides()), spec.annotations()));
                    prepare = List.copyOf(dirs);
                }
            }
            return prepare;
        }

        String state(Stage stage) {
            return BundleConfig.state(spec.id(), stage, pid(), dir.toString(), spec.annotations());
        }

        /**
         * Returns once the user's command is being exec'd, or (kept) once the keeper stopped
         * itself; on failure the started processes are killed.
         */
        void start() {
            Path status = dir.resolve("status.fifo");
            Path control = dir.resolve("control.fifo");
            Path userFstab = dir.resolve("user.fstab");
            Path envFile = dir.resolve("environment");
            try {
                for (String sub : List.of("lower", "rw", "rootfs", "hooks")) {
                    Files.createDirectory(dir.resolve(sub));
                }
                Files.writeString(dir.resolve("system.fstab"), fstab(spec.systemMounts()));
                Files.writeString(dir.resolve("prepare"), String.join("\n", prepareDirs()) + "\n");
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
            List<String> cmd = command(status, control, syncMounted, syncPivoted);

            try (RandomAccessFile statusFifo = new RandomAccessFile(status.toFile(), "rw");
                    RandomAccessFile controlFifo = new RandomAccessFile(control.toFile(), "rw")) {
                process = startProcess(cmd);
                long pid = process.pid();
                boolean started = false;
                try {
                    if (kept) {
                        long startTime = ProcStat.of(pid).map(ProcStat::startTime).orElse(0L);
                        new KeptState(spec.id(), pid, startTime, dir, spec.annotations(),
                                hooks.stream().filter(h -> h.stages().contains(Stage.POSTSTOP)).toList()).write(dir);
                        onExit = new Thread(() -> {
                            kill();
                            FileTrees.deleteQuietly(dir);
                        }, "kept-container-cleanup");
                        Runtime.getRuntime().addShutdownHook(onExit);
                    } else {
                        forwardSignals(pid);
                    }
                    events = readEvents(statusFifo);
                    await("created");
                    Map<String, String> env = prepareCreated(spec, dir, pid, userFstab);
                    Files.write(envFile, environFile(env));
                    go(controlFifo);
                    if (syncMounted) {
                        await("mounted");
                        writeBundle(spec, dir, env, hooks);
                        for (Stage stage : List.of(Stage.PRESTART, Stage.CREATE_RUNTIME, Stage.CREATE_CONTAINER)) {
                            hookRunner.run(stage, hooks, state(stage), pid);
                        }
                        Map<String, String> fromHooks = BuiltinHooks.readEnvironment(dir);
                        if (!fromHooks.isEmpty()) {
                            // Hooks' variables go under the EDF's: a user may still override them.
                            Map<String, String> merged = ContainerPlanner.applyOverrides(
                                    ContainerPlanner.applyOverrides(env, nullsToEmpty(fromHooks)), spec.overrides());
                            env.clear();
                            env.putAll(merged);
                            Files.write(envFile, environFile(env));
                        }
                        go(controlFifo);
                    }
                    if (syncPivoted) {
                        await("pivoted");
                        if (!syncMounted) {
                            writeBundle(spec, dir, env, hooks);
                        }
                        hookRunner.run(Stage.START_CONTAINER, hooks, state(Stage.START_CONTAINER), pid);
                        go(controlFifo);
                    }
                    if (!syncMounted && !syncPivoted && (kept || hooks.stream().anyMatch(h -> !h.stages().isEmpty()))) {
                        writeBundle(spec, dir, env, hooks);
                    }
                    if (kept) {
                        awaitKeeper();
                    }
                    started = true;
                } catch (IOException e) {
                    throw new SlipwayException("container start failed: " + e.getMessage(), e);
                } finally {
                    endEvents(statusFifo);
                    if (!started) {
                        abort();
                    }
                }
            } catch (IOException e) {
                throw new SlipwayException("cannot start the container: " + e.getMessage(), e);
            }
        }

        private List<String> command(Path status, Path control, boolean syncMounted, boolean syncPivoted) {
            Path root = dir.resolve("rootfs");
            List<String> cmd = new ArrayList<>();
            cmd.add(settings.helper("unshare").toString());
            if (spec.remapRoot()) {
                cmd.add("--remap-root");
            }
            if (kept) {
                cmd.add("--setsid");
            }
            cmd.addAll(List.of("--", settings.helper("rootfs").toString()));
            if (!spec.nativeOverlay()) {
                cmd.add("--fuse-overlayfs");
            }
            if (!prepareDirs().isEmpty()) {
                cmd.addAll(List.of("--prepare", dir.resolve("prepare").toString()));
            }
            cmd.addAll(List.of(spec.image().squashfs().toString(), dir.toString(), "--",
                    settings.helper("mount").toString(), root.toString(), dir.resolve("system.fstab").toString(), "--",
                    settings.helper("sync").toString(), status.toString(), control.toString(), "created", "--",
                    settings.helper("mount").toString(), root.toString(), dir.resolve("user.fstab").toString(), "--"));
            if (syncMounted) {
                cmd.addAll(List.of(settings.helper("sync").toString(), status.toString(), control.toString(),
                        "mounted", "--"));
            }
            cmd.add(settings.helper("switchroot").toString());
            if (!spec.writable()) {
                cmd.add("--readonly");
            }
            if (syncPivoted) {
                cmd.addAll(List.of("--sync", status.toString(), control.toString()));
            }
            if (kept) {
                cmd.addAll(List.of("--keeper", settings.helper("keeper").toString(), "--ready", status.toString()));
            }
            cmd.addAll(List.of("--envfile", dir.resolve("environment").toString(), "--workdir", spec.workdir(),
                    root.toString(), "--"));
            cmd.addAll(spec.argv());
            return cmd;
        }

        private Process startProcess(List<String> cmd) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (kept) {
                // Never slipway's streams: under Slurm they are pipes a keeper must not hold open.
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(LOG).toFile()));
                pb.redirectErrorStream(true);
            } else {
                pb.inheritIO();
            }
            pb.environment().clear();
            pb.environment().putAll(hostEnv);
            return pb.start();
        }

        private void await(String word) {
            String event;
            while ((event = next(20)) == null) {
                // Keep waiting: hooks and mounts take their time.
            }
            if (!event.startsWith(word + " ")) {
                throw new SlipwayException("container start: expected '" + word + "', got '" + event + "'");
            }
        }

        /**
         * Waits for the keeper's "ready PID" and its stop. A container process that stops without
         * reporting ready is not the keeper (the entrypoint stopped itself).
         */
        private void awaitKeeper() {
            boolean ready = false;
            long stoppedSince = 0;
            while (true) {
                String event = next(ready ? 2 : 20);
                if (event != null) {
                    if (!event.startsWith("ready ")) {
                        throw new SlipwayException("container start: expected 'ready', got '" + event + "'");
                    }
                    if (!event.equals("ready " + pid())) {
                        throw new SlipwayException("the image entrypoint ran the keeper as a child (pid "
                                + event.substring(6) + ") instead of exec'ing it: an entrypoint must end with "
                                + "exec \"$@\"; or turn the entrypoint off");
                    }
                    ready = true;
                }
                if (ProcStat.of(pid()).filter(ProcStat::stopped).isEmpty()) {
                    stoppedSince = 0;
                } else if (ready) {
                    return;
                } else if (stoppedSince == 0) {
                    stoppedSince = System.nanoTime();
                } else if (System.nanoTime() - stoppedSince > 2_000_000_000L) {
                    throw new SlipwayException("the container process stopped, but not as the keeper: the image "
                            + "entrypoint must end with exec \"$@\"; or turn the entrypoint off");
                }
            }
        }

        /** The next event, or null after {@code millis}; throws when the container process ended. */
        private String next(long millis) {
            try {
                String event = events.poll(millis, TimeUnit.MILLISECONDS);
                if (event == null && !process.isAlive()) {
                    int code = process.waitFor();
                    // A kept container's output is in its log, which the caller appends.
                    String why = kept ? "exit status " + code + ")" : "helper exit status " + code
                            + "); see the messages above";
                    throw new SlipwayException("the container failed to start (" + why);
                }
                return event;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlipwayException("interrupted while starting the container");
            }
        }

        /** Kills what was started (a kept container's whole session), once, and waits for it. */
        private synchronized void kill() {
            if (process != null && !killed) {
                killed = true;
                if (kept) {
                    Posix.kill(-pid(), SIGKILL);
                }
                Posix.kill(pid(), SIGKILL);
                waitQuietly(process);
            }
        }

        void abort() {
            kill();
            keep();
        }

        /**
         * After a failed start, once its processes are gone: the poststop hooks, as runc runs
         * them when it destroys a container that failed to start, so that what an earlier hook
         * started (the SSH hook's server) goes too. Failures are warnings.
         */
        void poststopAfterFailure() {
            if (process != null && hooks.stream().anyMatch(h -> h.stages().contains(Stage.POSTSTOP))) {
                hookRunner.run(Stage.POSTSTOP, hooks, state(Stage.POSTSTOP), pid());
            }
        }

        /** The start is over: a JVM exit no longer kills the container. */
        void keep() {
            if (onExit != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException e) {
                    // Shutting down: the hook runs or ran.
                }
                onExit = null;
            }
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
            Files.writeString(dir.resolve("passwd"), spec.identity().withShellIn(new RootView(inside))
                    .passwd(imageFile(inside, "etc/passwd")));
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
        Files.writeString(dir.resolve("config.json"), Json.pretty(BundleConfig.toJson(content)));
    }

    private static String fstab(List<FstabEntry> entries) {
        StringBuilder out = new StringBuilder();
        entries.forEach(e -> out.append(e.toLine()));
        return out.toString();
    }

    private static Map<String, String> nullsToEmpty(Map<String, String> edits) {
        Map<String, String> out = new LinkedHashMap<>();
        edits.forEach((k, v) -> out.put(k, v == null ? "" : v));
        return out;
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

    /**
     * Ends the reader thread, which would otherwise sit in a native read that delays the JVM's
     * exit by 300 ms. This side holds the FIFO read-write, so it can write the word itself.
     */
    private static void endEvents(RandomAccessFile status) {
        try {
            status.write("end\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // This side holds the FIFO open: the write does not fail.
        }
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
        long self = ProcessHandle.current().pid();
        for (var entry : Map.of("INT", SIGINT, "TERM", SIGTERM, "HUP", SIGHUP).entrySet()) {
            boolean fromTerminal = entry.getValue() != SIGTERM;
            try {
                Signal.handle(new Signal(entry.getKey()), s -> {
                    // The container process shares our process group: when that group is the
                    // terminal's foreground, a Ctrl-C (or hangup) already reached it directly.
                    if (fromTerminal && ProcStat.of(self).filter(ProcStat::inForeground).isPresent()) {
                        return;
                    }
                    Posix.kill(pid, entry.getValue());
                });
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

    /**
     * Removes a kept container's runtime directory, its state file last, so that a removal cut
     * short can be done again. Retries for a while: a FUSE mount point may stay busy until its
     * daemon is gone.
     */
    private static boolean removeRuntimeDir(Path dir) {
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(p -> !p.getFileName().toString().equals(KeptState.FILE))
                        .forEach(FileTrees::deleteQuietly);
            } catch (NoSuchFileException e) {
                return true;
            } catch (IOException ignored) {
                // Retried below.
            }
            try (Stream<Path> left = Files.list(dir)) {
                if (left.allMatch(p -> p.getFileName().toString().equals(KeptState.FILE))) {
                    Files.deleteIfExists(dir.resolve(KeptState.FILE));
                    Files.deleteIfExists(dir);
                    return true;
                }
            } catch (NoSuchFileException e) {
                return true;
            } catch (IOException ignored) {
                // Retried below.
            }
            if (attempt == 40) {
                return false;
            }
            sleep(50);
        }
    }

    /** The last {@code lines} lines of a log, or "" when there is none. */
    static String logTail(Path log, int lines) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, f.length() - 16384);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            List<String> all = new String(buf, StandardCharsets.UTF_8).strip().lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
