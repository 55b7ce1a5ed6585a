package io.slipway.hooks.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import io.slipway.hooks.Stage;
import io.slipway.hooks.builtin.NvidiaDiscovery.Gpu;
import io.slipway.hooks.builtin.NvidiaGpuSelection.Allocation;
import io.slipway.hooks.builtin.NvidiaGpuSelection.Request;
import io.slipway.runtime.FstabEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NVIDIA GPU hook against a fake node: a /dev with regular files for the nodes, a
 * /proc/driver/nvidia with four GPUs whose minors are not in bus order, driver libraries in a
 * temporary directory listed by a fake {@code ldconfig -p}.
 */
class NvidiaGpuHookTest {

    private static final String VERSION = "535.129.03";

    @TempDir
    Path dir;

    Path dev;
    Path proc;
    Path lib;
    Path lib32;
    Path bin;
    String listing;

    @BeforeEach
    void fakeNode() throws Exception {
        dev = Files.createDirectories(dir.resolve("dev"));
        for (String node : List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia0", "nvidia1", "nvidia2",
                "nvidia3", "null")) {
            Files.writeString(dev.resolve(node), "");
        }
        Files.createDirectories(dev.resolve("nvidia-caps"));
        Files.writeString(dev.resolve("nvidia-caps/nvidia-cap2"), "");
        proc = Files.createDirectories(dir.resolve("proc-nvidia"));
        Files.writeString(proc.resolve("version"), "NVRM version: NVIDIA UNIX x86_64 Kernel Module  " + VERSION
                + "  Thu Oct 19 18:56:32 UTC 2023\nGCC version:  gcc version 12.2.0\n");
        // Bus order 0000:01, 0000:41, 0000:81, 0000:c1 has minors 2, 0, 3, 1.
        String[][] gpus = {{"0000:41:00.0", "0", "GPU-bbbb"}, {"0000:c1:00.0", "1", "GPU-dddd"},
            {"0000:01:00.0", "2", "GPU-aaaa"}, {"0000:81:00.0", "3", "GPU-cccc"}};
        for (String[] g : gpus) {
            Path d = Files.createDirectories(proc.resolve("gpus").resolve(g[0]));
            Files.writeString(d.resolve("information"), "Model: \t\t NVIDIA GH200 120GB\nIRQ:   \t\t 42\nGPU UUID: \t "
                    + g[2] + "\nBus Location: \t " + g[0] + "\nDevice Minor: \t " + g[1] + "\nGPU Excluded:\t No\n");
        }
        Files.createDirectories(proc.resolve("capabilities/mig"));
        Files.writeString(proc.resolve("capabilities/mig/monitor"), "DeviceFileMinor: 2\nDeviceFileMode: 292\n");

        lib = Files.createDirectories(dir.resolve("usr/lib/x86_64-linux-gnu"));
        lib32 = Files.createDirectories(dir.resolve("usr/lib/i386-linux-gnu"));
        StringBuilder text = new StringBuilder("1234 libs found in cache `/etc/ld.so.cache'\n");
        for (String[] l : new String[][] {{"libcuda", "1"}, {"libnvidia-ml", "1"}, {"libnvidia-ptxjitcompiler", "1"},
            {"libnvcuvid", "1"}, {"libGLX_nvidia", "0"}}) {
            Files.writeString(lib.resolve(l[0] + ".so." + VERSION), "");
            Files.createSymbolicLink(lib.resolve(l[0] + ".so." + l[1]), Path.of(l[0] + ".so." + VERSION));
            text.append("\t").append(l[0]).append(".so.").append(l[1]).append(" (libc6,x86-64) => ")
                    .append(lib.resolve(l[0] + ".so." + l[1])).append('\n');
            Files.writeString(lib32.resolve(l[0] + ".so." + VERSION), "");
            text.append("\t").append(l[0]).append(".so.").append(l[1]).append(" (libc6) => ")
                    .append(lib32.resolve(l[0] + ".so." + VERSION)).append('\n');
        }
        // A leftover of an older driver, an unrelated library and the development link are not taken.
        Files.writeString(lib.resolve("libnvidia-cfg.so.470.57.02"), "");
        text.append("\tlibnvidia-cfg.so.1 (libc6,x86-64) => ").append(lib.resolve("libnvidia-cfg.so.470.57.02"))
                .append('\n');
        Files.writeString(lib.resolve("libcudart.so.12"), "");
        text.append("\tlibcudart.so.12 (libc6,x86-64) => ").append(lib.resolve("libcudart.so.12")).append('\n');
        text.append("\tlibcuda.so (libc6,x86-64) => ").append(lib.resolve("libcuda.so.1")).append('\n');
        text.append("\tlibc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib/x86_64-linux-gnu/libc.so.6\n");
        listing = text.toString();

        bin = Files.createDirectories(dir.resolve("bin"));
        for (String p : List.of("nvidia-smi", "nvidia-cuda-mps-control", "nvidia-container-cli")) {
            Files.writeString(bin.resolve(p), "#!/bin/sh\n");
            Files.setPosixFilePermissions(bin.resolve(p), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private NvidiaDiscovery node() {
        return new NvidiaDiscovery(dev, proc, listing, List.of(bin), "x86-64");
    }

    private static List<Integer> indices(List<Gpu> gpus) {
        return gpus.stream().map(Gpu::index).toList();
    }

    // --- capabilities

    @Test
    void capabilitiesDefaultToUtilityAndComputeAndAllMeansAll() {
        assertEquals(EnumSet.of(NvidiaCapability.UTILITY, NvidiaCapability.COMPUTE), NvidiaCapability.parse(null));
        assertEquals(EnumSet.of(NvidiaCapability.UTILITY, NvidiaCapability.COMPUTE), NvidiaCapability.parse(" "));
        assertEquals(EnumSet.allOf(NvidiaCapability.class), NvidiaCapability.parse("compute,all"));
        assertEquals(EnumSet.of(NvidiaCapability.VIDEO, NvidiaCapability.COMPUTE),
                NvidiaCapability.parse(" Video , compute"));
        var e = assertThrows(SlipwayException.class, () -> NvidiaCapability.parse("compute,graphix"));
        assertTrue(e.getMessage().contains("NVIDIA_DRIVER_CAPABILITIES") && e.getMessage().contains("graphix"),
                e.getMessage());
    }

    // --- discovery

    @Test
    void gpusAreNumberedInBusOrderWithTheirMinorsAndUuids() {
        List<Gpu> gpus = node().gpus();
        assertEquals(List.of(new Gpu(0, 2, "GPU-aaaa", "0000:01:00.0"), new Gpu(1, 0, "GPU-bbbb", "0000:41:00.0"),
                new Gpu(2, 3, "GPU-cccc", "0000:81:00.0"), new Gpu(3, 1, "GPU-dddd", "0000:c1:00.0")), gpus);
        assertEquals(dev.resolve("nvidia3"), node().gpuDevice(gpus.get(2)));
    }

    @Test
    void withoutProcInformationEachDeviceNodeIsTheGpuOfItsNumber() {
        var bare = new NvidiaDiscovery(dev, dir.resolve("no-proc"), "", List.of(), "x86-64");
        assertEquals(List.of(0, 1, 2, 3), indices(bare.gpus()));
        assertEquals(List.of(0, 1, 2, 3), bare.gpus().stream().map(Gpu::minor).toList());
        assertEquals(Optional.empty(), bare.driverVersion());
    }

    @Test
    void driverVersionControlNodesAndMigMonitor() throws Exception {
        assertEquals(Optional.of(VERSION), node().driverVersion());
        assertTrue(node().hasDriver());
        assertEquals(List.of(dev.resolve("nvidiactl"), dev.resolve("nvidia-uvm"), dev.resolve("nvidia-uvm-tools")),
                node().controlDevices());
        assertEquals(Optional.of(dev.resolve("nvidia-caps/nvidia-cap2")), node().migCapability("monitor"));
        assertEquals(Optional.empty(), node().migCapability("config"));
        Files.delete(dev.resolve("nvidiactl"));
        assertFalse(node().hasDriver());
    }

    @Test
    void openKernelModuleVersionLine() throws Exception {
        Files.writeString(proc.resolve("version"), "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  "
                + "550.54.15  Release Build  (dvs-builder@U16-I3-B03-4-3)  Tue Mar  5 22:15:33 UTC 2024\n");
        assertEquals(Optional.of("550.54.15"), node().driverVersion());
    }

    @Test
    void librariesAreFilteredByCapabilityAbiAndDriverVersion() {
        var all = node().libraries(EnumSet.allOf(NvidiaCapability.class), Optional.of(VERSION));
        assertEquals(List.of("libcuda.so.1", "libnvidia-ml.so.1", "libnvidia-ptxjitcompiler.so.1", "libnvcuvid.so.1",
                "libGLX_nvidia.so.0"), all.stream().map(NvidiaDiscovery.Library::soname).toList());
        for (var l : all) {
            assertEquals(lib, l.file().getParent(), "64-bit libraries only: " + l);
            assertTrue(l.file().getFileName().toString().endsWith(".so." + VERSION), l.toString());
        }
        var utility = node().libraries(EnumSet.of(NvidiaCapability.UTILITY), Optional.of(VERSION));
        assertEquals(List.of("libnvidia-ml.so.1"), utility.stream().map(NvidiaDiscovery.Library::soname).toList());
        var compute = node().libraries(EnumSet.of(NvidiaCapability.COMPUTE), Optional.of(VERSION));
        assertEquals(List.of("libcuda.so.1", "libnvidia-ptxjitcompiler.so.1"),
                compute.stream().map(NvidiaDiscovery.Library::soname).toList());
        // Without a known driver version, the old library is taken too.
        assertEquals(List.of("libnvidia-ml.so.1", "libnvidia-cfg.so.1"), node().libraries(
                EnumSet.of(NvidiaCapability.UTILITY), Optional.empty()).stream()
                .map(NvidiaDiscovery.Library::soname).toList());
    }

    @Test
    void programsFollowCapabilities() {
        assertEquals(List.of("nvidia-smi"), node().programs(EnumSet.of(NvidiaCapability.UTILITY)).stream()
                .map(NvidiaDiscovery.Program::name).toList());
        assertEquals(List.of("nvidia-cuda-mps-control"), node().programs(EnumSet.of(NvidiaCapability.COMPUTE))
                .stream().map(NvidiaDiscovery.Program::name).toList());
        assertEquals(List.of(), node().programs(EnumSet.of(NvidiaCapability.VIDEO)));
    }

    // --- allocation and selection

    @Test
    void allocationPrefersSlurmsStepGpusThenJobGpusThenCudaVisibleDevices() {
        Allocation a = Allocation.fromHost(Map.of("SLURM_JOB_ID", "7", "SLURM_STEP_GPUS", "2,3", "SLURM_JOB_GPUS",
                "0,1,2,3", "CUDA_VISIBLE_DEVICES", "0,1"), "none");
        assertEquals(List.of("2", "3"), a.ids());
        assertFalse(a.fromCuda());
        assertEquals(List.of("0", "1"), Allocation.fromHost(Map.of("SLURM_JOB_ID", "7", "SLURM_JOB_GPUS", "0,1",
                "CUDA_VISIBLE_DEVICES", "0"), "none").ids());
        Allocation cuda = Allocation.fromHost(Map.of("CUDA_VISIBLE_DEVICES", "3,1"), "none");
        assertEquals(List.of("3", "1"), cuda.ids());
        assertTrue(cuda.fromCuda());
        assertEquals("CUDA_VISIBLE_DEVICES=3,1", cuda.source());
    }

    @Test
    void withoutGpuVariablesASlurmJobGetsNoneUnlessConfiguredAndOutsideSlurmEverything() {
        assertEquals(List.of(), Allocation.fromHost(Map.of("SLURM_JOB_ID", "7"), "none").ids());
        assertEquals(List.of(), Allocation.fromHost(Map.of("SLURM_JOB_ID", "7", "CUDA_VISIBLE_DEVICES", "NoDevFiles"),
                "").ids());
        assertEquals(null, Allocation.fromHost(Map.of("SLURM_JOB_ID", "7"), "all").ids());
        assertEquals(null, Allocation.fromHost(Map.of(), "none").ids());
        var e = assertThrows(SlipwayException.class, () -> Allocation.fromHost(Map.of("SLURM_JOB_ID", "7"), "some"));
        assertTrue(e.getMessage().contains("NVIDIA_GPUS_WITHOUT_ALLOCATION"), e.getMessage());
    }

    @Test
    void requestsVoidEmptyNoneAllAndLists() {
        assertEquals(Optional.empty(), Request.parse(null));
        assertEquals(Optional.empty(), Request.parse(""));
        assertEquals(Optional.empty(), Request.parse("void"));
        assertEquals(List.of(), Request.parse("none").orElseThrow().ids());
        assertEquals(null, Request.parse("all").orElseThrow().ids());
        assertEquals(List.of("0", "GPU-aa"), Request.parse(" 0, GPU-aa ").orElseThrow().ids());
        assertTrue(Request.parse("1").orElseThrow().namesGpus());
        assertFalse(Request.parse("all").orElseThrow().namesGpus());
    }

    @Test
    void hostCudaVisibleDevicesIsRenumberedInItsOrderAsSarusDoes() {
        List<Gpu> six = List.of(0, 1, 2, 3, 4, 5).stream().map(i -> new Gpu(i, i, null, null)).toList();
        var s = NvidiaGpuSelection.select(Request.parse("all").orElseThrow(),
                Allocation.fromHost(Map.of("CUDA_VISIBLE_DEVICES", "3,1,5"), "none"), six);
        assertEquals(List.of(1, 3, 5), indices(s.gpus()));
        assertEquals(Optional.of("1,0,2"), s.cudaVisibleDevices());
        assertEquals("1,3,5", s.indices());
    }

    @Test
    void slurmsStepGpusAreTheContainersAndItsCudaDevicesStartAtZero() {
        var s = NvidiaGpuSelection.select(Request.parse("all").orElseThrow(), Allocation.fromHost(Map.of(
                "SLURM_JOB_ID", "7", "SLURM_STEP_GPUS", "2,3", "CUDA_VISIBLE_DEVICES", "0,1"), "none"), node().gpus());
        assertEquals(List.of(2, 3), indices(s.gpus()));
        assertEquals(Optional.of("0,1"), s.cudaVisibleDevices());
    }

    @Test
    void anImageCannotAskForGpusTheJobWasNotGiven() {
        Allocation step = Allocation.fromHost(Map.of("SLURM_JOB_ID", "7", "SLURM_STEP_GPUS", "2,3"), "none");
        var e = assertThrows(SlipwayException.class, () -> NvidiaGpuSelection.select(Request.parse("0,2")
                .orElseThrow(), step, node().gpus()));
        assertTrue(e.getMessage().contains("GPU 0") && e.getMessage().contains("SLURM_STEP_GPUS=2,3"),
                e.getMessage());
        var within = NvidiaGpuSelection.select(Request.parse("3").orElseThrow(), step, node().gpus());
        assertEquals(List.of(3), indices(within.gpus()));
        assertEquals(Optional.of("0"), within.cudaVisibleDevices());
        var none = NvidiaGpuSelection.select(Request.parse("all").orElseThrow(),
                Allocation.fromHost(Map.of("SLURM_JOB_ID", "7"), "none"), node().gpus());
        assertEquals(List.of(), none.gpus());
    }

    @Test
    void gpusByUuidOrUniquePrefixAndClearErrorsForUnknownOnes() {
        Allocation everything = Allocation.fromHost(Map.of(), "none");
        var s = NvidiaGpuSelection.select(Request.parse("GPU-dddd,GPU-a").orElseThrow(), everything, node().gpus());
        assertEquals(List.of(0, 3), indices(s.gpus()));
        assertEquals(Optional.of("1,0"), s.cudaVisibleDevices());
        var e = assertThrows(SlipwayException.class, () -> NvidiaGpuSelection.select(Request.parse("7").orElseThrow(),
                everything, node().gpus()));
        assertTrue(e.getMessage().contains("no GPU '7'") && e.getMessage().contains("GPU-aaaa"), e.getMessage());
        e = assertThrows(SlipwayException.class, () -> NvidiaGpuSelection.select(Request.parse("MIG-1234")
                .orElseThrow(), everything, node().gpus()));
        assertTrue(e.getMessage().contains("MIG"), e.getMessage());
        var all = NvidiaGpuSelection.select(Request.parse("all").orElseThrow(), everything, node().gpus());
        assertEquals(List.of(0, 1, 2, 3), indices(all.gpus()));
        assertEquals(Optional.empty(), all.cudaVisibleDevices());
    }

    // --- nvidia-container-cli

    @Test
    void nvidiaContainerCliCommandLine() {
        var selection = NvidiaGpuSelection.select(Request.parse("all").orElseThrow(),
                Allocation.fromHost(Map.of("SLURM_JOB_ID", "7", "SLURM_STEP_GPUS", "1,3"), "none"), node().gpus());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NVIDIA_REQUIRE_CUDA", "cuda>=12.5 brand=tesla,driver>=470,driver<471");
        env.put("NVIDIA_MIG_MONITOR_DEVICES", "all");
        env.put("NVIDIA_REQUIRE_ARCH", "arch=sm_90");
        assertEquals(List.of("/usr/bin/nvidia-container-cli", "configure", "--no-cgroups", "--ldconfig=@/sbin/ldconfig",
                "--device=1,3", "--compute", "--utility", "--mig-monitor=all", "--require=arch=sm_90",
                "--require=cuda>=12.5 brand=tesla,driver>=470,driver<471", "--pid=4242", "/run/b/rootfs"),
                NvidiaContainerCli.configure("/usr/bin/nvidia-container-cli", "/sbin/ldconfig", selection,
                        NvidiaCapability.parse("utility,compute"), env, 4242, Path.of("/run/b/rootfs")));
        env.put("NVIDIA_DISABLE_REQUIRE", "true");
        var noGpu = NvidiaGpuSelection.select(Request.parse("none").orElseThrow(), Allocation.fromHost(Map.of(), ""),
                node().gpus());
        assertEquals(List.of("cli", "configure", "--no-cgroups", "--ldconfig=@/sbin/ldconfig", "--video", "--graphics",
                "--mig-monitor=all", "--pid=1", "/r"), NvidiaContainerCli.configure("cli", "/sbin/ldconfig", noGpu,
                NvidiaCapability.parse("graphics,video"), env, 1, Path.of("/r")));
    }

    // --- the hook

    private HookContext context(Map<String, String> env, Map<String, String> hostEnv, Map<String, String> settings,
            boolean readonly) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("usr/lib/x86_64-linux-gnu"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/ld.so.cache"), "");
        Path ldconfig = dir.resolve("fake-ldconfig");
        Files.writeString(dir.resolve("listing"), listing);
        Files.writeString(ldconfig, "#!/bin/sh\n[ \"$1\" = -p ] && exec cat " + dir.resolve("listing") + "\nexit 3\n");
        Files.setPosixFilePermissions(ldconfig, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> hookEnv = new LinkedHashMap<>(Map.of("NVIDIA_DEV_DIR", dev.toString(), "NVIDIA_PROC_DIR",
                proc.toString(), "PATH", bin.toString(), "LDCONFIG_PATH", ldconfig.toString()));
        hookEnv.putAll(settings);
        return new HookContext(Stage.CREATE_CONTAINER, "c1", bundle, 4242, rootfs, new RootView(rootfs), readonly,
                1000, 1000, env, Map.of(), List.of(), hookEnv, hostEnv);
    }

    private static Set<String> lines(List<FstabEntry> mounts) {
        return mounts.stream().map(m -> m.source() + " -> " + m.target() + " " + m.type()).collect(Collectors.toSet());
    }

    @Test
    void theHookDoesNothingWithoutNvidiaVisibleDevicesOrWithVoid() throws Exception {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("NVIDIA_VISIBLE_DEVICES", "void"),
                Map.of("NVIDIA_VISIBLE_DEVICES", ""))) {
            HookActions out = new HookActions();
            new NvidiaGpuHook().run(context(env, Map.of("CUDA_VISIBLE_DEVICES", "0"), Map.of(), false), out);
            assertTrue(out.isEmpty() && out.notes().isEmpty(), env.toString());
        }
    }

    @Test
    void theHookBindsTheAllocatedGpusDriverAndProgramsAndRenumbersCuda() throws Exception {
        HookActions out = new HookActions();
        new NvidiaGpuHook().run(context(Map.of("NVIDIA_VISIBLE_DEVICES", "all", "CUDA_VISIBLE_DEVICES", "2"),
                Map.of("SLURM_JOB_ID", "7", "SLURM_STEP_GPUS", "2,3", "CUDA_VISIBLE_DEVICES", "0,1"), Map.of(), false),
                out);
        String libDir = "/usr/lib/x86_64-linux-gnu";
        Set<String> expected = Set.of(
                dev.resolve("nvidiactl") + " -> /dev/nvidiactl none",
                dev.resolve("nvidia-uvm") + " -> /dev/nvidia-uvm none",
                dev.resolve("nvidia-uvm-tools") + " -> /dev/nvidia-uvm-tools none",
                dev.resolve("nvidia3") + " -> /dev/nvidia3 none",
                dev.resolve("nvidia1") + " -> /dev/nvidia1 none",
                lib.resolve("libcuda.so." + VERSION) + " -> " + libDir + "/libcuda.so." + VERSION + " none",
                "libcuda.so." + VERSION + " -> " + libDir + "/libcuda.so.1 symlink",
                lib.resolve("libnvidia-ml.so." + VERSION) + " -> " + libDir + "/libnvidia-ml.so." + VERSION + " none",
                "libnvidia-ml.so." + VERSION + " -> " + libDir + "/libnvidia-ml.so.1 symlink",
                lib.resolve("libnvidia-ptxjitcompiler.so." + VERSION) + " -> " + libDir + "/libnvidia-ptxjitcompiler.so."
                        + VERSION + " none",
                "libnvidia-ptxjitcompiler.so." + VERSION + " -> " + libDir + "/libnvidia-ptxjitcompiler.so.1 symlink",
                bin.resolve("nvidia-smi") + " -> /usr/bin/nvidia-smi none",
                bin.resolve("nvidia-cuda-mps-control") + " -> /usr/bin/nvidia-cuda-mps-control none");
        assertEquals(expected, lines(out.mounts()));
        for (FstabEntry m : out.mounts()) {
            if (m.target().startsWith("/dev/")) {
                assertFalse(m.options().contains("nodev") || m.options().contains("ro"), m.toString());
            } else if (m.isBind()) {
                assertTrue(m.options().contains("ro"), m.toString());
            }
        }
        assertEquals(Map.of("NVIDIA_VISIBLE_DEVICES", "2,3", "CUDA_VISIBLE_DEVICES", "0,1"), out.environment());
        // The linker cache is refreshed into the container's /tmp and bound over the image's.
        List<List<String>> commands = out.commands().stream().map(HookActions.Command::argv).toList();
        assertEquals(1, commands.size());
        assertEquals(List.of(Ldconfig.path(context(Map.of(), Map.of(), Map.of(), false)), "-i", "-r",
                dir.resolve("bundle/rootfs").toString(), "-C"), commands.get(0).subList(0, 5));
        assertTrue(commands.get(0).get(5).startsWith(Ldconfig.CACHE_PREFIX), commands.toString());
        assertTrue(out.notes().stream().anyMatch(n -> n.contains("GPUs 2,3 (SLURM_STEP_GPUS=2,3)")), out.notes()
                .toString());
    }

    @Test
    void noneBringsTheDriverWithoutGpus() throws Exception {
        HookActions out = new HookActions();
        new NvidiaGpuHook().run(context(Map.of("NVIDIA_VISIBLE_DEVICES", "none", "NVIDIA_DRIVER_CAPABILITIES",
                "utility"), Map.of(), Map.of(), false), out);
        Set<String> targets = out.mounts().stream().map(FstabEntry::target).collect(Collectors.toSet());
        assertTrue(targets.contains("/dev/nvidiactl") && targets.contains("/usr/bin/nvidia-smi"), targets.toString());
        assertFalse(targets.stream().anyMatch(t -> t.matches("/dev/nvidia\\d+")), targets.toString());
        assertFalse(targets.stream().anyMatch(t -> t.contains("libcuda")), targets.toString());
        assertEquals(Map.of(), out.environment());
    }

    @Test
    void aSlurmJobWithoutGpusGetsNothingAndAnExplicitRequestOutsideItFails() throws Exception {
        HookActions out = new HookActions();
        new NvidiaGpuHook().run(context(Map.of("NVIDIA_VISIBLE_DEVICES", "all"), Map.of("SLURM_JOB_ID", "7"), Map.of(),
                false), out);
        assertTrue(out.isEmpty(), out.mounts().toString());
        assertTrue(out.notes().get(0).contains("no GPUs"), out.notes().toString());
        var e = assertThrows(SlipwayException.class, () -> new NvidiaGpuHook().run(context(Map.of(
                "NVIDIA_VISIBLE_DEVICES", "1"), Map.of("SLURM_JOB_ID", "7", "SLURM_STEP_GPUS", "0"), Map.of(), false),
                new HookActions()));
        assertTrue(e.getMessage().contains("not given"), e.getMessage());
    }

    @Test
    void aNodeWithoutTheDriverFailsExplicitRequestsAndOnlyNotesImageDefaults() throws Exception {
        Files.delete(dev.resolve("nvidiactl"));
        HookActions out = new HookActions();
        new NvidiaGpuHook().run(context(Map.of("NVIDIA_VISIBLE_DEVICES", "all"), Map.of(), Map.of(), false), out);
        assertTrue(out.isEmpty());
        assertTrue(out.notes().get(0).contains("no NVIDIA driver"), out.notes().toString());
        var e = assertThrows(SlipwayException.class, () -> new NvidiaGpuHook().run(context(Map.of(
                "NVIDIA_VISIBLE_DEVICES", "all"), Map.of("CUDA_VISIBLE_DEVICES", "0"), Map.of(), false),
                new HookActions()));
        assertTrue(e.getMessage().startsWith("NVIDIA GPU hook:") && e.getMessage().contains("nvidiactl is missing")
                && e.getMessage().contains("CUDA_VISIBLE_DEVICES=0"), e.getMessage());
        e = assertThrows(SlipwayException.class, () -> new NvidiaGpuHook().run(context(Map.of(
                "NVIDIA_VISIBLE_DEVICES", "0"), Map.of(), Map.of(), false), new HookActions()));
        assertTrue(e.getMessage().contains("NVIDIA_VISIBLE_DEVICES=0"), e.getMessage());
    }

    @Test
    void nvidiaContainerCliIsUsedWhenConfigured() throws Exception {
        HookActions out = new HookActions();
        HookContext ctx = context(Map.of("NVIDIA_VISIBLE_DEVICES", "all"), Map.of("CUDA_VISIBLE_DEVICES", "3,2"),
                Map.of("NVIDIA_CONTAINER_CLI", "auto"), false);
        new NvidiaGpuHook().run(ctx, out);
        assertEquals(List.of(), out.mounts());
        assertEquals(List.of(List.of(bin.resolve("nvidia-container-cli").toString(), "configure", "--no-cgroups",
                "--ldconfig=@" + Ldconfig.path(ctx), "--device=2,3", "--compute", "--utility", "--pid=4242",
                ctx.rootfs().toString())), out.commands().stream().map(HookActions.Command::argv).toList());
        assertEquals(Map.of("NVIDIA_VISIBLE_DEVICES", "2,3", "CUDA_VISIBLE_DEVICES", "1,0"), out.environment());
        var e = assertThrows(SlipwayException.class, () -> new NvidiaGpuHook().run(context(Map.of(
                "NVIDIA_VISIBLE_DEVICES", "all"), Map.of(), Map.of("NVIDIA_CONTAINER_CLI", "/nonexistent/cli"), false),
                new HookActions()));
        assertTrue(e.getMessage().contains("NVIDIA_CONTAINER_CLI=/nonexistent/cli"), e.getMessage());
    }

    private static HookPlan plan(Map<String, String> env) {
        return new HookPlan(List.of(), Map.of(), env, Map.of(), Path.of("/run/x"));
    }

    @Test
    void theRuntimePreparesTheLibraryDirectoriesOnlyForGpuContainers() {
        assertEquals(List.of(),
                new NvidiaGpuHook().preparedPaths(plan(Map.of("NVIDIA_VISIBLE_DEVICES", "void"))));
        assertEquals(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/bin"),
                new NvidiaGpuHook().preparedPaths(plan(Map.of("NVIDIA_VISIBLE_DEVICES", "all"))));
    }

    @Test
    void librariesGoToTheImagesLibraryDirectory() throws Exception {
        HookContext ctx = context(Map.of(), Map.of(), Map.of(), false);
        assertEquals("/usr/lib/x86_64-linux-gnu", NvidiaGpuHook.libraryDir(ctx));
        Files.delete(ctx.rootfs().resolve("usr/lib/x86_64-linux-gnu"));
        Files.createDirectories(ctx.rootfs().resolve("usr/lib"));
        assertEquals("/usr/lib", NvidiaGpuHook.libraryDir(ctx));
        Files.createSymbolicLink(ctx.rootfs().resolve("usr/lib64"), Path.of("lib"));
        assertEquals("/usr/lib", NvidiaGpuHook.libraryDir(ctx));
        Files.delete(ctx.rootfs().resolve("usr/lib64"));
        Files.createDirectories(ctx.rootfs().resolve("usr/lib64"));
        assertEquals("/usr/lib64", NvidiaGpuHook.libraryDir(ctx));
        assertEquals("/opt/nv", NvidiaGpuHook.libraryDir(context(Map.of(), Map.of(), Map.of("NVIDIA_LIBRARY_DIR",
                "/opt/nv"), false)));
    }
}
