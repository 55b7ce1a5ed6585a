package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import io.slipway.posix.ProgramSearch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CUDA MPS hook ({@code com.hooks.nvidia_cuda_mps.enabled = "true"}): before the container
 * starts, starts the MPS control daemon on the host as the job's user, {@code
 * nvidia-cuda-mps-control -d}, with its pipe and log directories private to the container (under
 * the container's runtime directory, {@code mps/pipe} and {@code mps/log}, bound at {@code CUDA_MPS_PIPE_DIRECTORY} and
 * {@code CUDA_MPS_LOG_DIRECTORY} inside, which it also exports), so the container's processes
 * share the GPUs through one MPS server. At poststop it sends the daemon {@code quit}.
 *
 * <p>The daemon runs in the host's namespaces with exactly that command line, so a container
 * process sees it (the PID namespace is the host's): {@code pgrep --full "^nvidia-cuda-mps-control -d$"}.
 * Settings (the hook file's {@code env}): {@code PATH} (where nvidia-cuda-mps-control is),
 * {@code CUDA_MPS_PIPE_DIRECTORY} and {@code CUDA_MPS_LOG_DIRECTORY} (the paths inside the container).
 */
final class CudaMpsHook implements BuiltinHook {

    static final String NAME = "nvidia_cuda_mps";
    static final String CONTROL = "nvidia-cuda-mps-control";
    static final String PIPE_IN_CONTAINER = "/tmp/nvidia-mps";
    static final String LOG_IN_CONTAINER = "/tmp/nvidia-mps-log";

    /** A unix socket path has room for 107 bytes; the daemon's sockets in the pipe directory need the rest. */
    private static final int MAX_PIPE_DIRECTORY = 80;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        switch (ctx.stage()) {
            case PRESTART, CREATE_RUNTIME, CREATE_CONTAINER -> start(ctx, out);
            case POSTSTOP -> stop(ctx, out);
            default -> { }
        }
    }

    private static void start(HookContext ctx, HookActions out) throws IOException {
        if (ctx.readonly()) {
            throw new SlipwayException("CUDA MPS hook: the container must be writable (writable = true in the EDF, "
                    + "the default) to use com.hooks.nvidia_cuda_mps.enabled");
        }
        String path = ctx.setting("PATH", NvidiaGpuHook.DEFAULT_PATH);
        if (control(path).isEmpty()) {
            throw new SlipwayException("CUDA MPS hook: " + CONTROL + " is not installed on this node (searched PATH="
                    + path + "); it comes with the NVIDIA driver");
        }
        Path pipe = Files.createDirectories(pipeDirectory(ctx));
        Path log = Files.createDirectories(logDirectory(ctx));
        if (pipe.toString().length() > MAX_PIPE_DIRECTORY) {
            throw new SlipwayException("CUDA MPS hook: the container's runtime directory is too deep for the MPS "
                    + "daemon's sockets (" + pipe + " is longer than " + MAX_PIPE_DIRECTORY
                    + " characters): configure a shorter runtime directory");
        }
        String pipeInside = ctx.setting("CUDA_MPS_PIPE_DIRECTORY", PIPE_IN_CONTAINER);
        String logInside = ctx.setting("CUDA_MPS_LOG_DIRECTORY", LOG_IN_CONTAINER);
        out.bind(pipe.toString(), pipeInside);
        out.bind(log.toString(), logInside);
        out.setenv("CUDA_MPS_PIPE_DIRECTORY", pipeInside);
        out.setenv("CUDA_MPS_LOG_DIRECTORY", logInside);
        out.runOnHost(startCommand(daemonEnvironment(ctx, path, pipe, log)));
        out.note("started the MPS control daemon: pipes " + pipe + " (" + pipeInside + " inside), log " + log);
    }

    private static void stop(HookContext ctx, HookActions out) {
        Path pipe = pipeDirectory(ctx);
        String path = ctx.setting("PATH", NvidiaGpuHook.DEFAULT_PATH);
        if (!Files.isDirectory(pipe) || control(path).isEmpty()) {
            return;
        }
        out.runOnHost(stopCommand(daemonEnvironment(ctx, path, pipe, logDirectory(ctx)),
                daemons(Path.of("/proc"), pipe)));
    }

    /**
     * {@code nvidia-cuda-mps-control -d}, started through env(1) so the name stays bare: the
     * process's command line is exactly {@code nvidia-cuda-mps-control -d}, whatever directory of
     * PATH holds it.
     */
    static HookActions.HostCommand startCommand(Map<String, String> env) {
        return new HookActions.HostCommand(List.of(envProgram(), CONTROL, "-d"), env, null, false);
    }

    /**
     * {@code echo quit | nvidia-cuda-mps-control}, then a wait (at most 10 s each) for the
     * daemons {@code pids} to exit, so the runtime directory they write in is removed after them.
     */
    static HookActions.HostCommand stopCommand(Map<String, String> env, List<Long> pids) {
        List<String> argv = new java.util.ArrayList<>(List.of("/bin/sh", "-c", CONTROL + " || exit; for pid; do n=0; "
                + "while kill -0 \"$pid\" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done; done", "sh"));
        pids.forEach(p -> argv.add(Long.toString(p)));
        return new HookActions.HostCommand(argv, env, "quit\n", true);
    }

    /**
     * The control daemons serving {@code pipe}: under {@code proc}, processes whose command line is
     * {@code nvidia-cuda-mps-control -d} and whose environment names that pipe directory.
     */
    static List<Long> daemons(Path proc, Path pipe) {
        byte[] cmdline = (CONTROL + "\0-d\0").getBytes(StandardCharsets.UTF_8);
        String mark = "CUDA_MPS_PIPE_DIRECTORY=" + pipe;
        try (Stream<Path> pids = Files.list(proc)) {
            return pids.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    return java.util.Arrays.equals(Files.readAllBytes(p.resolve("cmdline")), cmdline)
                            && List.of(new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8)
                                    .split("\0")).contains(mark);
                } catch (IOException e) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * What the daemon runs with: PATH, its directories, the host's HOME, and the job's
     * CUDA_VISIBLE_DEVICES (the daemon runs on the host, in the job's cgroup, where Slurm's
     * numbering holds).
     */
    static Map<String, String> daemonEnvironment(HookContext ctx, String path, Path pipe, Path log) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", path);
        env.put("CUDA_MPS_PIPE_DIRECTORY", pipe.toString());
        env.put("CUDA_MPS_LOG_DIRECTORY", log.toString());
        for (String name : List.of("HOME", "USER", "CUDA_VISIBLE_DEVICES")) {
            String v = ctx.hostEnv().get(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        return env;
    }

    /** The daemon's pipe directory, short (the sockets in it have a path limit): RUNTIME_DIR/mps/pipe. */
    static Path pipeDirectory(HookContext ctx) {
        return ctx.bundle().resolve("mps").resolve("pipe");
    }

    static Path logDirectory(HookContext ctx) {
        return ctx.bundle().resolve("mps").resolve("log");
    }

    private static Optional<Path> control(String path) {
        return ProgramSearch.find(CONTROL, ProgramSearch.dirs(path));
    }

    private static String envProgram() {
        return Files.isExecutable(Path.of("/usr/bin/env")) ? "/usr/bin/env" : "/bin/env";
    }
}
