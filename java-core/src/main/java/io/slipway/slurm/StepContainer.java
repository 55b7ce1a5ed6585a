package io.slipway.slurm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.SlipwayException;
import io.slipway.cli.ProgressListener;
import io.slipway.config.Installation;
import io.slipway.config.SlipwayConfig;
import io.slipway.edf.Edfs;
import io.slipway.edf.LoadedEdf;
import io.slipway.edf.Mount;
import io.slipway.edf.ResolvedEdf;
import io.slipway.hooks.OciHook;
import io.slipway.hooks.OciHooks;
import io.slipway.image.ImageService;
import io.slipway.image.ImportedImage;
import io.slipway.image.Platform;
import io.slipway.runtime.ContainerPlanner;
import io.slipway.runtime.ContainerRequest;
import io.slipway.runtime.ContainerSpec;
import io.slipway.runtime.ContainerStarter;
import io.slipway.runtime.Identity;
import io.slipway.runtime.KeptContainer;
import io.slipway.runtime.KeptState;
import io.slipway.runtime.RuntimeSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * slurmstepd: the container of one step on one node. {@link #start} runs in the first task (as the
 * job user, in the job's cgroup): it takes the EDF the job carried (or reads it on the node when
 * nothing was carried), imports the image, and starts a kept container whose keeper stops itself
 * once ready; the plugin then joins it from every task. {@link #stop} runs in the last task to
 * exit.
 */
final class StepContainer {

    private static final String ID_PREFIX = "slurm-";

    private final PluginRequest request;
    private final SlipwayConfig config;
    private final PrintWriter err;
    private final List<String> messages = new ArrayList<>();

    StepContainer(PluginRequest request, SlipwayConfig config, PrintWriter err) {
        this.request = request;
        this.config = config;
        this.err = err;
    }

    ObjectNode start() {
        long t0 = System.nanoTime();
        PluginRequest.Job job = request.job();
        if (job == null) {
            throw new SlipwayException("the plugin's start request names no job");
        }
        Map<String, String> env = request.env();
        Carried carried = request.carry() == null ? null : Carried.parse(request.carry());
        String environment = request.environment() != null ? request.environment()
                : carried != null ? carried.environment() : null;
        if (environment == null) {
            throw new SlipwayException("no --environment for this step");
        }
        boolean verbose = carried != null && carried.verbose() > 0;
        Edfs.Context context = new Edfs.Context(env, request.cwd(), config, w -> err.println("slipway: warning: " + w));
        LoadedEdf loaded;
        if (carried != null && carried.environment().equals(environment)) {
            // Its warnings were shown at submission.
            loaded = Edfs.uncarry(carried.edf(), w -> { });
        } else {
            loaded = Edfs.load(environment, context);
        }
        String reference = Edfs.image(loaded, context);
        if (reference == null || reference.isEmpty()) {
            throw new SlipwayException("the EDF names no image");
        }
        long t1 = System.nanoTime();

        ImportedImage imported;
        int downloads;
        try (ProgressListener progress = new ProgressListener(err, false)) {
            imported = new ImageService(new ImageService.Context(env, request.cwd(), config, Platform.ofThisMachine(),
                    progress)).ensure(reference, Edfs.containerfile(loaded, context));
            progress.finish();
            downloads = progress.layersDownloaded();
        }
        long t2 = System.nanoTime();
        messages.add("image " + reference + ": " + (downloads == 0 ? "cache hit" : "pulled " + downloads
                + " layer(s)") + ", " + imported.squashfs());

        try {
            ResolvedEdf resolved = Edfs.resolve(loaded, imported.config().envMap(), context);
            ContainerRequest asked = ContainerRequest.of(resolved, List.of());
            if (request.batchScript() != null) {
                // The batch script lives in slurmd's spool directory: show it at the same path.
                List<Mount> mounts = new ArrayList<>(asked.mounts());
                mounts.add(new Mount(request.batchScript(), request.batchScript(), List.of("ro")));
                asked = new ContainerRequest(asked.image(), asked.workdir(), asked.entrypoint(), asked.writable(),
                        mounts, asked.devices(), asked.env(), asked.annotations(), asked.command());
            }
            Installation installation = Installation.current().orElseThrow(() ->
                    new SlipwayException("the Java core cannot find its installation (helpers in libexec/slipway)"));
            RuntimeSettings settings = RuntimeSettings.of(config, runtimeEnvironment(env), job.uid(),
                    installation.libexecDir());
            Identity identity = Identity.of(job.uid(), job.gid(), env, Path.of("/etc"));
            // A JVM killed in an earlier start (OOM killer, timeout) could not remove its directory.
            ContainerStarter.sweepStaleKept(settings.runtimeDir(), ID_PREFIX, Duration.ofMinutes(10), err);
            String id = ID_PREFIX + job.jobId() + "." + job.stepId() + "-" + job.node();
            ContainerSpec spec = ContainerPlanner.planKept(id, asked, imported, settings, identity, env);
            List<OciHook> hooks = OciHooks.load(config.hooksDirs());
            List<OciHook> active = ContainerStarter.activeHooks(spec, hooks);
            messages.add("OCI hooks: " + (active.isEmpty() ? "none" : active.stream()
                    .map(h -> h.name() + " " + h.stages()).collect(Collectors.joining(", ")))
                    + "; shell hooks from " + settings.configDirs().stream().map(d -> d.resolve("hooks.d").toString())
                    .collect(Collectors.joining(", ")));
            ContainerStarter starter = new ContainerStarter(settings, env, err);
            KeptContainer kept = starter.startKept(spec, hooks);
            starter.hookNotes().forEach(n -> messages.add("hook " + n));
            long t3 = System.nanoTime();
            // Concatenation, not String.format: a Formatter loads the locale data, 15 ms of a cold JVM.
            messages.add("container " + id + " started: keeper pid " + kept.pid() + "; EDF " + ms(t0, t1)
                    + " ms, image " + ms(t1, t2) + " ms, start " + ms(t2, t3) + " ms");
            // The plugin logs the messages in slurmd's log, and shows them on the step's stderr
            // only when the user asked for -v.
            ObjectNode answer = PluginHost.answer(messages);
            answer.put("verbose", verbose);
            answer.put("pid", kept.pid());
            answer.put("runtime_dir", kept.runtimeDir().toString());
            // Without poststop hooks, stopping is a signal and a directory removal: the plugin does
            // it in C and the last task to exit starts no JVM.
            boolean poststop = KeptState.read(kept.runtimeDir()).map(s -> !s.poststop().isEmpty()).orElse(true);
            answer.put("stop", poststop ? "java" : "signal");
            return answer;
        } finally {
            // A cache-free image (no EDF_IMAGESTORE or SCRATCH) belongs to this start only: once
            // the container runs, squashfuse holds it open, so it can go now; after a failed start
            // nothing else would ever remove it.
            imported.discardIfEphemeral();
        }
    }

    ObjectNode stop() {
        if (request.runtimeDir() == null) {
            throw new SlipwayException("the plugin's stop request names no runtime directory");
        }
        ContainerStarter.stopKept(request.runtimeDir(), err);
        return PluginHost.answer(List.of());
    }

    /**
     * XDG_RUNTIME_DIR comes from the submitting login session and need not exist on this node;
     * without it the runtime falls back to its configured or /tmp directory.
     */
    private static Map<String, String> runtimeEnvironment(Map<String, String> env) {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg == null || Files.isDirectory(Path.of(xdg)) && Files.isWritable(Path.of(xdg))) {
            return env;
        }
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.remove("XDG_RUNTIME_DIR");
        return copy;
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
