package io.slipway.hooks;

import io.slipway.SlipwayException;
import io.slipway.hooks.builtin.BuiltinHooks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the OCI hooks of one stage, in order, each with the container state on stdin, its own
 * environment only (as under Sarus), and its timeout. A failure of a fatal stage throws with the
 * hook's file and stderr; poststart and poststop failures go to {@code log}.
 *
 * Built-in hooks ({@link BuiltinHooks}) run in this process instead, with the same inputs.
 *
 * @param libexec the directory of the C helpers (slipway-nsexec joins the container's namespaces
 *     for the stages that run inside, slipway-mount performs built-in hooks' mounts); null where
 *     only host-side stages run
 * @param log where warnings go
 * @param notes where built-in hooks' verbose lines go
 * @param hostEnv the environment of the start (the job's under Slurm), for built-in hooks
 */
public record HookRunner(Path libexec, Consumer<String> log, Consumer<String> notes, Map<String, String> hostEnv) {

    public HookRunner(Path libexec, Consumer<String> log, Consumer<String> notes) {
        this(libexec, log, notes, Map.of());
    }

    /** How long a hook without its own timeout may run. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    public void run(Stage stage, List<OciHook> hooks, String state, long pid) {
        for (OciHook hook : hooks) {
            if (!hook.stages().contains(stage)) {
                continue;
            }
            String failure = runOne(stage, hook, state, pid);
            if (failure != null) {
                String message = "OCI hook " + hook.file() + " (" + stage.jsonName() + ") " + failure;
                if (stage.fatal()) {
                    throw new SlipwayException(message);
                }
                log.accept(message);
            }
        }
    }

    /** @return null on success, else what went wrong (with the hook's stderr) */
    private String runOne(Stage stage, OciHook hook, String state, long pid) {
        var builtin = BuiltinHooks.of(hook);
        if (builtin.isPresent()) {
            try {
                BuiltinHooks.runInProcess(builtin.get(), hook, stage, state, pid, libexec, hostEnv)
                        .forEach(line -> notes.accept(hook.name() + ": " + line));
                return null;
            } catch (SlipwayException e) {
                return "failed: " + e.getMessage();
            }
        }
        List<String> command = new ArrayList<>();
        if (stage.inContainer()) {
            command.addAll(List.of(libexec.resolve("slipway-nsexec").toString(), Long.toString(pid), "--"));
        }
        command.add(hook.path());
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(hook.envMap());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p;
        try {
            p = startWithArgv0(pb, hook);
        } catch (IOException e) {
            return "cannot be started: " + e.getMessage();
        }
        StringBuilder err = new StringBuilder();
        Thread reader = new Thread(() -> drain(p.getErrorStream(), err), "hook-stderr");
        reader.setDaemon(true);
        reader.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(state.getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // A hook need not read its state.
        }
        Duration timeout = hook.timeout().orElse(DEFAULT_TIMEOUT);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                reader.join(1000);
                return "timed out after " + timeout.toSeconds() + " s" + stderrSuffix(err);
            }
            reader.join(1000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return "was interrupted";
        }
        int code = p.exitValue();
        return code == 0 ? null : "failed with exit status " + code + stderrSuffix(err);
    }

    /** Runs {@code path} with {@code args[1..]}; Java cannot set argv[0], so the hook sees its path there. */
    private static Process startWithArgv0(ProcessBuilder pb, OciHook hook) throws IOException {
        List<String> command = new ArrayList<>(pb.command());
        command.addAll(hook.args().subList(1, hook.args().size()));
        pb.command(command);
        return pb.start();
    }

    private static String stderrSuffix(StringBuilder err) {
        synchronized (err) {
            String text = err.toString().strip();
            return text.isEmpty() ? "" : ":\n" + text;
        }
    }

    private static void drain(InputStream in, StringBuilder into) {
        try (in) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (into) {
                    if (into.length() < 65536) {
                        into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException ignored) {
            // The hook is gone; what was read is all there is.
        }
    }
}
