package io.slipway.hooks.builtin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code nvidia-container-cli configure} command line that exposes the selected GPUs and the
 * driver's capabilities in a container, as the NVIDIA Container Toolkit's hook builds it. It runs
 * in the container's user and mount namespaces before pivot_root (so {@code ROOTFS} is the
 * container root there and {@code @LDCONFIG} the host's ldconfig), as the job's user:
 * {@code --no-cgroups} because device access is Slurm's cgroup's business and an unprivileged
 * user cannot write device cgroups.
 */
final class NvidiaContainerCli {

    private NvidiaContainerCli() {}

    /**
     * @param cli the program
     * @param ldconfig the host's ldconfig
     * @param selection the GPUs (none: driver only, no {@code --device})
     * @param capabilities {@code --compute}, {@code --utility}, ...
     * @param containerEnv for NVIDIA_REQUIRE_* ({@code --require}, unless NVIDIA_DISABLE_REQUIRE)
     *     and NVIDIA_MIG_CONFIG_DEVICES / NVIDIA_MIG_MONITOR_DEVICES
     * @param pid the container process
     * @param rootfs the container root as the command sees it
     */
    static List<String> configure(String cli, String ldconfig, NvidiaGpuSelection selection,
            Set<NvidiaCapability> capabilities, Map<String, String> containerEnv, long pid, Path rootfs) {
        List<String> argv = new ArrayList<>(List.of(cli, "configure", "--no-cgroups", "--ldconfig=@" + ldconfig));
        if (!selection.gpus().isEmpty()) {
            argv.add("--device=" + selection.indices());
        }
        for (NvidiaCapability c : capabilities) {
            argv.add("--" + c.word());
        }
        String migConfig = containerEnv.get("NVIDIA_MIG_CONFIG_DEVICES");
        if (migConfig != null && !migConfig.isBlank()) {
            argv.add("--mig-config=" + migConfig.trim());
        }
        String migMonitor = containerEnv.get("NVIDIA_MIG_MONITOR_DEVICES");
        if (migMonitor != null && !migMonitor.isBlank()) {
            argv.add("--mig-monitor=" + migMonitor.trim());
        }
        String disable = containerEnv.getOrDefault("NVIDIA_DISABLE_REQUIRE", "").trim().toLowerCase(Locale.ROOT);
        if (!disable.equals("true") && !disable.equals("1")) {
            // In name order, so the command line does not depend on the environment's order.
            new TreeMap<>(containerEnv).forEach((k, v) -> {
                if (k.startsWith("NVIDIA_REQUIRE_") && !v.isBlank()) {
                    argv.add("--require=" + v.trim());
                }
            });
        }
        argv.add("--pid=" + pid);
        argv.add(rootfs.toString());
        return argv;
    }
}
