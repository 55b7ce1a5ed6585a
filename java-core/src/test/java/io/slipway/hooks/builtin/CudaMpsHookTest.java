package io.slipway.hooks.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import io.slipway.hooks.BundleConfig;
import io.slipway.hooks.Stage;
import io.slipway.runtime.FstabEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaMpsHookTest {

    @TempDir
    Path dir;

    Path bin;
    Path bundle;

    @BeforeEach
    void fakeDriver() throws Exception {
        bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("nvidia-cuda-mps-control"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(bin.resolve("nvidia-cuda-mps-control"), PosixFilePermissions.fromString("rwxr-xr-x"));
        bundle = Files.createDirectories(dir.resolve("b"));
        Files.createDirectories(bundle.resolve("rootfs"));
    }

    private HookContext context(Stage stage, boolean readonly, Map<String, String> hookEnv) {
        return new HookContext(stage, "c1", bundle, 4242, bundle.resolve("rootfs"), new RootView(bundle.resolve("rootfs")),
                readonly, 1000, 1000, Map.of(), Map.of("com.hooks.nvidia_cuda_mps.enabled", "true"), List.of(), hookEnv,
                Map.of("HOME", "/home/u", "USER", "u", "CUDA_VISIBLE_DEVICES", "0,1", "SLURM_JOB_ID", "7"));
    }

    private Map<String, String> daemonEnv() {
        return Map.of("PATH", bin.toString(), "CUDA_MPS_PIPE_DIRECTORY", bundle.resolve("mps/pipe")
                .toString(), "CUDA_MPS_LOG_DIRECTORY", bundle.resolve("mps/log").toString(), "HOME",
                "/home/u", "USER", "u", "CUDA_VISIBLE_DEVICES", "0,1");
    }

    @Test
    void startBindsPrivateDirectoriesExportsThemAndStartsTheDaemonWithABareName() throws Exception {
        HookActions out = new HookActions();
        new CudaMpsHook().run(context(Stage.CREATE_CONTAINER, false, Map.of("PATH", bin.toString())), out);
        Path pipe = bundle.resolve("mps/pipe");
        Path log = bundle.resolve("mps/log");
        assertTrue(Files.isDirectory(pipe) && Files.isDirectory(log));
        assertEquals(List.of(pipe + " /tmp/nvidia-mps", log + " /tmp/nvidia-mps-log"),
                out.mounts().stream().map(m -> m.source() + " " + m.target()).toList());
        assertTrue(out.mounts().stream().allMatch(FstabEntry::isBind));
        assertEquals(Map.of("CUDA_MPS_PIPE_DIRECTORY", "/tmp/nvidia-mps", "CUDA_MPS_LOG_DIRECTORY",
                "/tmp/nvidia-mps-log"), out.environment());
        assertEquals(List.of(), out.commands());
        HookActions.HostCommand start = out.hostCommands().get(0);
        assertEquals(1, out.hostCommands().size());
        assertTrue(start.argv().get(0).matches("(/usr)?/bin/env"), start.argv().toString());
        assertEquals(List.of("nvidia-cuda-mps-control", "-d"), start.argv().subList(1, 3));
        assertEquals(daemonEnv(), start.env());
        assertEquals(null, start.input());
    }

    @Test
    void containerPathsComeFromTheHookFile() throws Exception {
        HookActions out = new HookActions();
        new CudaMpsHook().run(context(Stage.CREATE_CONTAINER, false, Map.of("PATH", bin.toString(),
                "CUDA_MPS_PIPE_DIRECTORY", "/run/mps", "CUDA_MPS_LOG_DIRECTORY", "/run/mps-log")), out);
        assertEquals(List.of("/run/mps", "/run/mps-log"), out.mounts().stream().map(FstabEntry::target).toList());
        assertEquals("/run/mps", out.environment().get("CUDA_MPS_PIPE_DIRECTORY"));
    }

    @Test
    void stopSendsQuitAndWaitsForTheDaemonsOfThisContainer() throws Exception {
        Path pipe = Files.createDirectories(bundle.resolve("mps/pipe"));
        HookActions out = new HookActions();
        new CudaMpsHook().run(context(Stage.POSTSTOP, false, Map.of("PATH", bin.toString())), out);
        HookActions.HostCommand stop = out.hostCommands().get(0);
        assertEquals(List.of("/bin/sh", "-c"), stop.argv().subList(0, 2));
        assertTrue(stop.argv().get(2).startsWith("nvidia-cuda-mps-control || exit;"), stop.argv().get(2));
        assertEquals("quit\n", stop.input());
        assertTrue(stop.mayFail());
        assertEquals(daemonEnv(), stop.env());
        assertTrue(out.isEmpty(), "poststop changes nothing in the container");
        assertEquals(List.of("/bin/sh", "-c", stop.argv().get(2), "sh", "12", "30"),
                CudaMpsHook.stopCommand(stop.env(), List.of(12L, 30L)).argv());
        assertTrue(pipe.startsWith(bundle));
    }

    @Test
    void stopWithoutAStartDoesNothing() throws Exception {
        HookActions out = new HookActions();
        new CudaMpsHook().run(context(Stage.POSTSTOP, false, Map.of("PATH", bin.toString())), out);
        assertEquals(List.of(), out.hostCommands());
    }

    @Test
    void daemonsAreFoundByCommandLineAndPipeDirectory() throws Exception {
        Path proc = dir.resolve("proc");
        Path pipe = Path.of("/run/x/pipe");
        proc(proc, "12", "nvidia-cuda-mps-control\0-d\0", "PATH=/bin\0CUDA_MPS_PIPE_DIRECTORY=/run/x/pipe\0");
        proc(proc, "13", "nvidia-cuda-mps-control\0-d\0", "CUDA_MPS_PIPE_DIRECTORY=/run/y/pipe\0");
        proc(proc, "14", "/usr/bin/nvidia-cuda-mps-control\0-d\0", "CUDA_MPS_PIPE_DIRECTORY=/run/x/pipe\0");
        proc(proc, "15", "nvidia-cuda-mps-server\0", "CUDA_MPS_PIPE_DIRECTORY=/run/x/pipe\0");
        Files.createDirectories(proc.resolve("self"));
        assertEquals(List.of(12L), CudaMpsHook.daemons(proc, pipe));
    }

    private static void proc(Path proc, String pid, String cmdline, String environ) throws Exception {
        Path d = Files.createDirectories(proc.resolve(pid));
        Files.writeString(d.resolve("cmdline"), cmdline);
        Files.writeString(d.resolve("environ"), environ);
    }

    @Test
    void aReadOnlyContainerOrAMissingControlProgramFailsNamingTheHook() {
        var e = assertThrows(SlipwayException.class, () -> new CudaMpsHook().run(context(Stage.CREATE_CONTAINER, true,
                Map.of("PATH", bin.toString())), new HookActions()));
        assertTrue(e.getMessage().startsWith("CUDA MPS hook:") && e.getMessage().contains("writable"), e.getMessage());
        e = assertThrows(SlipwayException.class, () -> new CudaMpsHook().run(context(Stage.CREATE_CONTAINER, false,
                Map.of("PATH", dir.resolve("empty").toString())), new HookActions()));
        assertTrue(e.getMessage().startsWith("CUDA MPS hook:") && e.getMessage().contains("nvidia-cuda-mps-control is "
                + "not installed"), e.getMessage());
    }

    @Test
    void hostCommandsRunAtPoststopWithTheirEnvironmentAndInput() throws Exception {
        // The framework's part: a host command at poststop, its stdin and environment, its failure.
        Path script = dir.resolve("bin/nvidia-cuda-mps-control");
        Path record = dir.resolve("record");
        Files.writeString(script, "#!/bin/sh\necho \"$0 $* pipe=$CUDA_MPS_PIPE_DIRECTORY in=$(cat)\" >> " + record
                + "\n");
        Files.createDirectories(bundle.resolve("mps/pipe"));
        var content = new BundleConfig.Content(bundle.resolve("rootfs").toString(), false, List.of(), List.of("sh"),
                Map.of(), "/", 1000, 1000, Map.of(), List.of());
        Files.writeString(bundle.resolve("config.json"), BundleConfig.toJson(content).toString());
        String state = BundleConfig.state("c1", Stage.POSTSTOP, 1, bundle.toString(), Map.of());
        BuiltinHooks.runStandalone(CudaMpsHook.NAME, List.of(), Stage.POSTSTOP, state, Map.of("PATH", bin + ":/usr/bin:/bin"),
                null);
        assertEquals("nvidia-cuda-mps-control  pipe=" + bundle.resolve("mps/pipe") + " in=quit\n",
                Files.readString(record).replace(bin + "/", ""));
    }
}
