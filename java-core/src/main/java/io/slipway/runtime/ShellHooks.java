package io.slipway.runtime;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Enroot-style shell hooks: every executable {@code hooks.d/*.sh} of the system, then the user
 * configuration directory, in name order, run inside the container's user and mount namespaces
 * (with full capabilities there) before the switch into the root filesystem, with the host's root
 * and working directory. Their contract is Enroot's: {@code ENROOT_PID}, {@code ENROOT_ROOTFS},
 * {@code ENROOT_ENVIRON} and {@code ENROOT_MOUNTS} (lines appended to these two files take
 * effect), plus the caller's environment. Stdout is discarded; a non-zero exit aborts the start.
 */
record ShellHooks(RuntimeSettings settings, Map<String, String> hostEnv, PrintWriter err) {

    void run(List<Path> hooks, long pid, Path rootfs, Path environ, Path mounts, Path scratch) {
        for (Path hook : hooks) {
            if (!Files.isExecutable(hook)) {
                continue;
            }
            ProcessBuilder pb = new ProcessBuilder(settings.helper("nsexec").toString(), Long.toString(pid), "--",
                    hook.toString());
            pb.environment().clear();
            pb.environment().putAll(hostEnv);
            pb.environment().put("ENROOT_PID", Long.toString(pid));
            pb.environment().put("ENROOT_ROOTFS", rootfs.toString());
            pb.environment().put("ENROOT_ENVIRON", environ.toString());
            pb.environment().put("ENROOT_MOUNTS", mounts.toString());
            pb.environment().put("ENROOT_RUNTIME_PATH", settings.runtimeDir().toString());
            pb.environment().put("ENROOT_LIBEXEC_PATH", settings.libexec().toString());
            pb.environment().put("SLIPWAY_HOOK_SCRATCH", scratch.toString());
            if (settings.remapRoot()) {
                pb.environment().put("ENROOT_REMAP_ROOT", "y");
            }
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            int code;
            try {
                code = pb.start().waitFor();
            } catch (IOException e) {
                throw new SlipwayException("shell hook " + hook + " cannot be started: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlipwayException("interrupted while running shell hook " + hook);
            }
            if (code != 0) {
                throw new SlipwayException("shell hook " + hook + " exited with status " + code);
            }
        }
    }
}
