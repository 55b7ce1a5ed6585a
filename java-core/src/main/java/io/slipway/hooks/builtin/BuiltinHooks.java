package io.slipway.hooks.builtin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import io.slipway.hooks.OciHook;
import io.slipway.hooks.Stage;
import io.slipway.runtime.FstabEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The hooks built into Slipway, and how their actions are carried out. An OCI hook file whose
 * {@code hook.path} is a {@value #LAUNCHER} and whose {@code args[1]} names one of them is run in
 * the starting JVM ({@link #runInProcess}); {@code slipway hook NAME} runs it in its own process
 * for other OCI runtimes ({@link #runStandalone}).
 */
public final class BuiltinHooks {

    /** The file name of the launcher OCI hook files name. */
    public static final String LAUNCHER = "slipway-hook";

    /** Where a hook's variables wait for the runtime, in the bundle (a JSON object; null unsets). */
    public static final String ENVIRON_FILE = "hooks/oci-environ.json";

    /** Where a hook's server ({@link HookActions#runInRoot}) writes its output, in the hook's scratch directory. */
    public static final String DAEMON_LOG = "daemon.log";

    private static final Map<String, BuiltinHook> HOOKS = new TreeMap<>();

    static {
        for (BuiltinHook h : List.<BuiltinHook>of(new TimestampHook(), new LdcacheHook(), new NvidiaGpuHook(),
                new CudaMpsHook(), new MountHook("mount"), new MountHook("cxi"), new MountHook("aws_ofi_nccl"),
                new MpiHook(), new GlibcHook(), new SlurmHook(), new PmixHook(), new SlurmGlobalSyncHook(), new SshHook())) {
            HOOKS.put(h.name(), h);
        }
    }

    private BuiltinHooks() {}

    public static Map<String, BuiltinHook> all() {
        return HOOKS;
    }

    public static Optional<BuiltinHook> named(String name) {
        return Optional.ofNullable(HOOKS.get(name));
    }

    /** The built-in hook an OCI hook file runs, if it runs one. */
    public static Optional<BuiltinHook> of(OciHook hook) {
        if (!Path.of(hook.path()).getFileName().toString().equals(LAUNCHER) || hook.args().size() < 2) {
            return Optional.empty();
        }
        return named(hook.args().get(1));
    }

    /**
     * Whether the container turned the hook off with {@code com.hooks.NAME.enabled = "false"}:
     * the way to disable a hook a site turns on for everyone (the seed's Alpine workaround).
     */
    public static boolean disabledBy(OciHook hook, Map<String, String> annotations) {
        return of(hook).map(b -> annotations.get("com.hooks." + b.name() + ".enabled"))
                .map(v -> v.trim().toLowerCase(Locale.ROOT).equals("false")).orElse(false);
    }

    /**
     * The paths the active built-in hooks among {@code hooks} will change
     * ({@link BuiltinHook#preparedPaths}), in order, without repeats. A hook that cannot say
     * (its inputs are wrong) contributes none: its run reports the error.
     */
    public static List<String> preparedPaths(List<OciHook> hooks, Path bundle, Map<String, String> env,
            Map<String, String> annotations) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (OciHook h : hooks) {
            of(h).ifPresent(b -> {
                try {
                    out.addAll(b.preparedPaths(new HookPlan(h.args().subList(2, h.args().size()), h.envMap(),
                            env, annotations, bundle)));
                } catch (RuntimeException e) {
                    // The run of the hook reports it.
                }
            });
        }
        return List.copyOf(out);
    }

    /**
     * Runs a built-in hook in this process for a container whose process is {@code pid}: reads
     * its root through {@code /proc/PID/root}, mounts and runs commands through slipway-nsexec.
     *
     * @param hostEnv the environment of the start (the job's under Slurm): {@link HookContext#hostEnv()}
     * @return the hook's notes for verbose output
     */
    public static List<String> runInProcess(BuiltinHook builtin, OciHook hook, Stage stage, String state, long pid,
            Path libexec, Map<String, String> hostEnv) {
        boolean before = beforePivot(stage);
        HookContext ctx = HookContext.of(stage, state, hook.args().subList(2, hook.args().size()), hook.envMap(),
                before ? Path.of("/proc/" + pid + "/root") : null, hostEnv);
        return run(builtin, ctx, before && libexec != null ? libexec : null, libexec, true);
    }

    /**
     * Runs a built-in hook as an OCI runtime runs hooks: state on stdin, in the container's mount
     * namespace for createContainer, the runtime's for the others. {@code env} is this process's
     * environment: the hook file's {@code env} as the runtime set it, and the host environment.
     */
    public static List<String> runStandalone(String name, List<String> args, Stage stage, String state,
            Map<String, String> env, Path libexec) {
        BuiltinHook builtin = named(name).orElseThrow(() -> new SlipwayException("no built-in hook '" + name
                + "'; built-in hooks: " + String.join(", ", HOOKS.keySet())));
        boolean joined = stage == Stage.CREATE_CONTAINER || stage == Stage.START_CONTAINER;
        HookContext ctx = HookContext.of(stage, state, args, env, null, env);
        return run(builtin, ctx, beforePivot(stage) && !joined ? libexec : null, libexec, false);
    }

    private static List<String> run(BuiltinHook builtin, HookContext ctx, Path nsexecFrom, Path libexec,
            boolean inProcess) {
        HookActions actions = new HookActions();
        try {
            builtin.run(ctx, actions);
            if (!actions.isEmpty()) {
                if (!beforePivot(ctx.stage())) {
                    throw new SlipwayException("hook " + builtin.name() + " asked for mounts, commands or variables "
                            + "at " + ctx.stage().jsonName() + "; only prestart, createRuntime and createContainer "
                            + "may change the container (host commands may run at any stage)");
                }
                List<String> prefix = nsexecFrom == null ? List.of()
                        : List.of(nsexecFrom.resolve("slipway-nsexec").toString(), Long.toString(ctx.pid()), "--");
                apply(builtin.name(), ctx, actions, prefix, libexec);
            }
            if (!actions.hostCommands().isEmpty()) {
                Path log = ctx.scratch(builtin.name()).resolve("host-commands.log");
                for (HookActions.HostCommand c : actions.hostCommands()) {
                    execOnHost(c, log);
                }
            }
        } catch (IOException e) {
            throw new SlipwayException(e.getMessage(), e);
        }
        return actions.notes();
    }

    private static void apply(String name, HookContext ctx, HookActions actions, List<String> prefix, Path libexec)
            throws IOException {
        mount(name, "mounts.fstab", ctx, actions.mounts(), prefix, libexec);
        for (HookActions.Command c : actions.commands()) {
            List<String> argv = new ArrayList<>(prefix);
            if (c.inRoot()) {
                if (libexec == null) {
                    throw new SlipwayException("cannot find slipway-nsexec to start the hook's server");
                }
                // A fresh nsexec, never the prefix's: it joins, changes root and drops the capabilities itself.
                argv = new ArrayList<>(List.of(libexec.resolve("slipway-nsexec").toString(), "--root",
                        ctx.rootfs().toString(), "--daemon-pidfile", c.daemonPidfile(), "--log",
                        ctx.scratch(name).resolve(DAEMON_LOG).toString()));
                for (String pidfile : c.hostPidfiles()) {
                    argv.addAll(List.of("--pidfile", pidfile));
                }
                argv.addAll(List.of(Long.toString(ctx.pid()), "--"));
            }
            argv.addAll(c.argv());
            exec(argv, c.mayFail());
        }
        mount(name, "late-mounts.fstab", ctx, actions.lateMounts(), prefix, libexec);
        if (!actions.environment().isEmpty()) {
            Path file = ctx.bundle().resolve(ENVIRON_FILE);
            Map<String, String> all = readEnvironment(ctx.bundle());
            all.putAll(actions.environment());
            Files.createDirectories(file.getParent());
            ObjectNode json = Json.object();
            all.forEach(json::put);
            Files.writeString(file, Json.write(json));
        }
    }

    private static void mount(String name, String file, HookContext ctx, List<FstabEntry> mounts, List<String> prefix,
            Path libexec) throws IOException {
        if (mounts.isEmpty()) {
            return;
        }
        if (libexec == null) {
            throw new SlipwayException("cannot find slipway-mount to perform the hook's mounts");
        }
        StringBuilder plan = new StringBuilder();
        for (FstabEntry e : mounts) {
            plan.append(e.toLine());
        }
        Path fstab = ctx.scratch(name).resolve(file);
        Files.writeString(fstab, plan.toString());
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of(libexec.resolve("slipway-mount").toString(), ctx.rootfs().toString(), fstab.toString()));
        exec(argv, false);
    }

    /** The variables hooks set so far (null values unset), in order. */
    public static Map<String, String> readEnvironment(Path bundle) {
        Path file = bundle.resolve(ENVIRON_FILE);
        if (!Files.exists(file)) {
            return new LinkedHashMap<>();
        }
        try {
            Map<String, String> variables = Json.strings(Json.read(file));
            if (variables == null) {
                throw new IOException("not a JSON object");
            }
            return variables;
        } catch (IOException e) {
            throw new SlipwayException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs a host command with its own environment, its output appended to {@code log}. */
    private static void execOnHost(HookActions.HostCommand c, Path log) throws IOException {
        long before = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder pb = new ProcessBuilder(c.argv()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(c.env());
        if (c.input() == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (c.input() != null) {
            try (var in = p.getOutputStream()) {
                in.write(c.input().getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // A command that exits without reading its input reports through its status.
            }
        }
        int code = waitFor(p, c.argv());
        if (code != 0 && !c.mayFail()) {
            String text;
            try (var f = new java.io.RandomAccessFile(log.toFile(), "r")) {
                f.seek(Math.min(before, f.length()));
                byte[] out = new byte[(int) Math.min(f.length() - f.getFilePointer(), 65536)];
                f.readFully(out);
                text = new String(out, StandardCharsets.UTF_8).strip();
            }
            throw new SlipwayException(String.join(" ", c.argv()) + " failed with exit status " + code
                    + (text.isEmpty() ? "" : ":\n" + text));
        }
    }

    private static int waitFor(Process p, List<String> argv) {
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new SlipwayException(String.join(" ", argv) + " timed out");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlipwayException("interrupted while running " + argv.get(0));
        }
    }

    private static void exec(List<String> argv, boolean mayFail) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        int code = waitFor(p, argv);
        if (code != 0 && !mayFail) {
            String text = new String(out, StandardCharsets.UTF_8).strip();
            throw new SlipwayException(String.join(" ", argv) + " failed with exit status " + code
                    + (text.isEmpty() ? "" : ":\n" + text));
        }
    }

    private static boolean beforePivot(Stage stage) {
        return stage == Stage.PRESTART || stage == Stage.CREATE_RUNTIME || stage == Stage.CREATE_CONTAINER;
    }
}
