package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import io.slipway.posix.ProgramSearch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The NVIDIA GPU hook: when the container's {@code NVIDIA_VISIBLE_DEVICES} is set and not
 * {@code void}, exposes the GPUs it asks for, within the job's allocation on this node (see
 * {@link NvidiaGpuSelection}), with the device nodes, driver libraries and programs of its
 * {@code NVIDIA_DRIVER_CAPABILITIES}; {@code none} brings the driver without GPUs. The container's
 * CUDA_VISIBLE_DEVICES is renumbered for the GPUs it sees.
 *
 * <p>The work is done by nvidia-container-cli when the hook file's {@code NVIDIA_CONTAINER_CLI}
 * says so ({@code auto}: when installed; a path: that one), else by the hook's own discovery:
 * binds of {@code /dev/nvidia*}, of the libraries the host's linker cache lists (into the image's
 * library directory, with their soname links) and of the programs, then {@code ldconfig -r}.
 * The own discovery is the default because nvidia-container-cli usually needs root, and hooks run
 * as the job's user.
 *
 * <p>Settings (the hook file's {@code env}): {@code NVIDIA_CONTAINER_CLI},
 * {@code NVIDIA_GPUS_WITHOUT_ALLOCATION} (all or none: a Slurm job without GPU variables),
 * {@code PATH} (where the programs are), {@code LDCONFIG_PATH}, {@code NVIDIA_LIBRARY_DIR} (the
 * container directory for the libraries), {@code NVIDIA_DEV_DIR} and {@code NVIDIA_PROC_DIR} (the
 * host's /dev and /proc/driver/nvidia).
 */
final class NvidiaGpuHook implements BuiltinHook {

    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @Override
    public String name() {
        return "nvidia";
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        String asked = ctx.env().get("NVIDIA_VISIBLE_DEVICES");
        Optional<NvidiaGpuSelection.Request> request = NvidiaGpuSelection.Request.parse(asked);
        if (request.isEmpty()) {
            return;
        }
        Set<NvidiaCapability> capabilities = NvidiaCapability.parse(ctx.env().get("NVIDIA_DRIVER_CAPABILITIES"));
        NvidiaGpuSelection.Allocation allocation = NvidiaGpuSelection.Allocation.fromHost(ctx.hostEnv(),
                ctx.setting("NVIDIA_GPUS_WITHOUT_ALLOCATION", "none"));
        NvidiaDiscovery host = new NvidiaDiscovery(Path.of(ctx.setting("NVIDIA_DEV_DIR", "/dev")),
                Path.of(ctx.setting("NVIDIA_PROC_DIR", "/proc/driver/nvidia")), "",
                ProgramSearch.dirs(ctx.setting("PATH", DEFAULT_PATH)), NvidiaDiscovery.machineAbiTag());
        if (!host.hasDriver()) {
            String missing = host.devDir().resolve("nvidiactl") + " is missing";
            if (request.get().namesGpus() || allocation.namesGpus()) {
                throw new SlipwayException("NVIDIA GPU hook: the container asks for GPUs (NVIDIA_VISIBLE_DEVICES="
                        + asked.trim() + "; the job's allocation: " + allocation.source()
                        + ") but this node has no NVIDIA driver: " + missing);
            }
            out.note("no NVIDIA driver on this node (" + missing + "): no GPUs for NVIDIA_VISIBLE_DEVICES="
                    + asked.trim());
            return;
        }
        NvidiaGpuSelection selection = NvidiaGpuSelection.select(request.get(), allocation, host.gpus());
        if (selection.gpus().isEmpty() && request.get().ids() == null) {
            out.note("no GPUs for this container on this node (" + allocation.source() + "): nothing exposed");
            return;
        }
        Optional<String> cli = containerCli(ctx);
        if (cli.isPresent()) {
            out.run(NvidiaContainerCli.configure(cli.get(), Ldconfig.path(ctx), selection, capabilities, ctx.env(),
                    ctx.pid(), ctx.rootfs()).toArray(String[]::new));
            out.note("GPUs " + describe(selection) + " (" + allocation.source() + ") through " + cli.get());
        } else {
            exposeByDiscovery(ctx, out, host.withListing(Ldconfig.hostCache(ctx)), selection, capabilities);
            out.note("GPUs " + describe(selection) + " (" + allocation.source() + "), capabilities "
                    + capabilities.stream().map(NvidiaCapability::word).collect(Collectors.joining(",")));
        }
        if (!selection.gpus().isEmpty()) {
            out.setenv("NVIDIA_VISIBLE_DEVICES", selection.indices());
        }
        selection.cudaVisibleDevices().ifPresent(v -> out.setenv("CUDA_VISIBLE_DEVICES", v));
    }

    private static String describe(NvidiaGpuSelection selection) {
        return selection.gpus().isEmpty() ? "none (driver only)" : selection.indices();
    }

    /** Where the libraries and programs may go when the container asks for GPUs. */
    @Override
    public List<String> preparedPaths(HookPlan plan) {
        Map<String, String> env = plan.env();
        if (NvidiaGpuSelection.Request.parse(env.get("NVIDIA_VISIBLE_DEVICES")).isEmpty()) {
            return List.of();
        }
        return List.of("/usr/lib/" + multiarchTriplet(), "/usr/lib64", "/usr/lib", "/usr/bin");
    }

    /** The nvidia-container-cli to use, if any: {@code NVIDIA_CONTAINER_CLI} is empty/no, auto, or a path. */
    static Optional<String> containerCli(HookContext ctx) {
        String v = ctx.setting("NVIDIA_CONTAINER_CLI", "").trim();
        switch (v.toLowerCase(Locale.ROOT)) {
            case "", "no", "false", "none":
                return Optional.empty();
            case "auto":
                return ProgramSearch.find("nvidia-container-cli",
                        ProgramSearch.dirs(ctx.setting("PATH", DEFAULT_PATH))).map(Path::toString);
            default:
                if (!v.startsWith("/") || !Files.isExecutable(Path.of(v))) {
                    throw new SlipwayException("NVIDIA GPU hook: NVIDIA_CONTAINER_CLI=" + v + " is not an executable "
                            + "absolute path (or auto, or empty for the hook's own discovery)");
                }
                return Optional.of(v);
        }
    }

    /** Binds devices, libraries (with soname links) and programs, then refreshes the linker cache. */
    static void exposeByDiscovery(HookContext ctx, HookActions out, NvidiaDiscovery host, NvidiaGpuSelection selection,
            Set<NvidiaCapability> capabilities) {
        for (Path dev : host.controlDevices()) {
            out.device(dev.toString(), "/dev/" + dev.getFileName());
        }
        for (NvidiaDiscovery.Gpu gpu : selection.gpus()) {
            Path dev = host.gpuDevice(gpu);
            if (!Files.exists(dev)) {
                throw new SlipwayException("NVIDIA GPU hook: GPU " + gpu.index() + " has no device node " + dev);
            }
            out.device(dev.toString(), "/dev/" + dev.getFileName());
        }
        for (String kind : List.of("config", "monitor")) {
            String v = ctx.env().get("NVIDIA_MIG_" + kind.toUpperCase(Locale.ROOT) + "_DEVICES");
            if (v != null && v.trim().equalsIgnoreCase("all")) {
                host.migCapability(kind).ifPresent(n -> out.device(n.toString(), "/dev/nvidia-caps/" + n.getFileName()));
            }
        }
        String libDir = libraryDir(ctx);
        List<NvidiaDiscovery.Library> libraries = host.libraries(capabilities, host.driverVersion());
        for (NvidiaDiscovery.Library lib : libraries) {
            String file = lib.file().getFileName().toString();
            out.bindReadOnly(lib.file().toString(), libDir + "/" + file);
            if (!lib.soname().equals(file)) {
                out.symlink(file, libDir + "/" + lib.soname());
            }
        }
        List<NvidiaDiscovery.Program> programs = host.programs(capabilities);
        for (NvidiaDiscovery.Program p : programs) {
            out.bindReadOnly(p.file().toString(), "/usr/bin/" + p.name());
        }
        out.note("driver " + host.driverVersion().orElse("of unknown version") + ": " + libraries.size()
                + " libraries in " + libDir + ", programs " + (programs.isEmpty() ? "none"
                : programs.stream().map(NvidiaDiscovery.Program::name).collect(Collectors.joining(" "))));
        Ldconfig.refresh(ctx, out);
    }

    /** Debian's name of this machine's library directory. */
    static String multiarchTriplet() {
        return switch (NvidiaDiscovery.machineAbiTag()) {
            case "AArch64" -> "aarch64-linux-gnu";
            case "64bit" -> "powerpc64le-linux-gnu";
            default -> "x86_64-linux-gnu";
        };
    }

    /**
     * Where the libraries go in the container: {@code NVIDIA_LIBRARY_DIR}, else the first of the
     * image's multiarch directory (Debian, Ubuntu), /usr/lib64 (RHEL, SUSE) and /usr/lib.
     */
    static String libraryDir(HookContext ctx) {
        String configured = ctx.setting("NVIDIA_LIBRARY_DIR", "");
        if (!configured.isEmpty()) {
            return configured;
        }
        for (String candidate : List.of("/usr/lib/" + multiarchTriplet(), "/usr/lib64")) {
            Optional<String> resolved = ctx.root().resolveLinks(candidate);
            if (resolved.isPresent() && Files.isDirectory(ctx.root().viewOf(resolved.get()))) {
                return resolved.get();
            }
        }
        return "/usr/lib";
    }
}
