package io.slipway.cli;

import io.slipway.SlipwayException;
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
import io.slipway.posix.Posix;
import io.slipway.runtime.ContainerPlanner;
import io.slipway.runtime.ContainerRequest;
import io.slipway.runtime.ContainerSpec;
import io.slipway.runtime.ContainerStarter;
import io.slipway.runtime.Identity;
import io.slipway.runtime.ImageResolver;
import io.slipway.runtime.RuntimeSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The options of {@code slipway run} and {@code slipway container start}, and what they lead to:
 * the EDF and image resolved, the image imported if need be, the container planned and handed to
 * a {@link ContainerStarter}.
 */
final class ContainerOptions {

    String environment;

    String image;

    final List<String> mounts = new ArrayList<>();

    final List<String> env = new ArrayList<>();

    String workdir;

    /** {@code --writable} (true) or {@code --readonly} (false); null: the EDF's. */
    Boolean writable;

    Boolean entrypoint;

    final List<String> annotations = new ArrayList<>();

    /**
     * Adds these options to {@code spec}, whose help then lists them in this order (their
     * {@code order}), before the help options (order -1), instead of sorted by name.
     */
    CommandSpec addTo(CommandSpec spec) {
        spec.usageMessage().sortOptions(false);
        return spec.addOption(CommandSpecs.option(String.class, v -> environment = v, "--environment").order(-19)
                        .paramLabel("NAME|PATH").description("The EDF to use: a name or a file.").build())
                .addOption(CommandSpecs.option(String.class, v -> image = v, "--image").order(-18).paramLabel("REF")
                        .description("The image (a squashfs file); overrides the EDF's.").build())
                .addOption(CommandSpecs.repeatable(mounts, "--mount").order(-17).paramLabel("SRC:DST[:FLAGS]")
                        .description("Add a bind mount (flags joined by '+').").build())
                .addOption(CommandSpecs.repeatable(env, "--env").order(-16).paramLabel("NAME=VALUE")
                        .description("Set a variable (an empty value unsets it).").build())
                .addOption(CommandSpecs.option(String.class, v -> workdir = v, "--workdir").order(-15).paramLabel("DIR")
                        .description("Working directory in the container.").build())
                .addArgGroup(ArgGroupSpec.builder().exclusive(true).multiplicity("0..1")
                        .addArg(CommandSpecs.option(boolean.class, v -> writable = v, "--writable").order(-14)
                                .description("Writable root filesystem (changes vanish at exit).").build())
                        .addArg(CommandSpecs.option(boolean.class, v -> writable = !v, "--readonly").order(-13)
                                .description("Read-only root filesystem.").build())
                        .build())
                .addOption(CommandSpecs.option(Boolean.class, v -> entrypoint = v, "--entrypoint").order(-12)
                        .negatable(true).description("Run the image Entrypoint (default: the EDF's).").build())
                .addOption(CommandSpecs.repeatable(annotations, "--annotation").order(-11).paramLabel("KEY=VALUE")
                        .description("Add an annotation (OCI hooks see it).").build());
    }

    /** What a command does with its planned container. */
    interface Launch<T> {
        T launch(ContainerStarter starter, ContainerSpec spec, List<OciHook> hooks);
    }

    /**
     * Resolves the EDF and the image (importing it with progress on stderr), plans the container
     * (kept: {@link ContainerPlanner#planKept}, with no command) and launches it. A cache-free
     * image is discarded afterwards: a kept container's squashfuse holds it open until it ends.
     */
    <T> T launch(CliContext context, List<String> command, boolean kept, Launch<T> launch) {
        try (ProgressListener progress = ProgressListener.onStderr(context)) {
            ImageService service = ImageCommand.service(context, progress, null);
            return launch(context, (reference, containerfile) -> {
                ImportedImage imported = service.ensure(reference, containerfile);
                progress.finish();
                return imported;
            }, command, kept, launch);
        }
    }

    private <T> T launch(CliContext context, ImageResolver images, List<String> command, boolean kept,
            Launch<T> launch) {
        SlipwayConfig config = context.config();
        Map<String, String> hostEnv = context.environment();
        ContainerRequest request;
        ImportedImage imported;
        if (environment != null) {
            Edfs.Context edfContext = context.edfContext();
            LoadedEdf loaded = Edfs.load(environment, edfContext);
            String reference = image != null ? image : Edfs.image(loaded, edfContext);
            if (reference == null || reference.isEmpty()) {
                throw new SlipwayException("the EDF names no image; give --image");
            }
            // The EDF's recipe builds the EDF's image only, not an --image given instead.
            imported = images.resolve(reference, image != null ? Optional.empty() : Edfs.containerfile(loaded, edfContext));
            ResolvedEdf resolved = Edfs.resolve(loaded, imported.config().envMap(), edfContext);
            request = ContainerRequest.of(resolved, command);
        } else {
            if (image == null) {
                throw new SlipwayException("give --environment or --image");
            }
            imported = images.resolve(image, Optional.empty());
            request = new ContainerRequest(image, null, true, true, List.of(), List.of(), Map.of(), Map.of(), command);
        }
        request = applyTo(request, context.cwd());

        Installation installation = Installation.current().orElseThrow(() ->
                new SlipwayException("starting a container needs an installed tree (its helpers live in libexec/slipway)"));
        int uid = Posix.getuid();
        Identity identity = Identity.of(uid, Posix.getgid(), hostEnv, Path.of("/etc"));
        RuntimeSettings settings = RuntimeSettings.of(config, hostEnv, uid, installation.libexecDir());
        String id = "slipway-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextInt() & 0xffffffffL);
        try {
            ContainerSpec spec = kept ? ContainerPlanner.planKept(id, request, imported, settings, identity, hostEnv)
                    : ContainerPlanner.plan(id, request, imported, settings, identity, hostEnv);
            return launch.launch(new ContainerStarter(settings, hostEnv, context.err()), spec,
                    OciHooks.load(config.hooksDirs()));
        } finally {
            imported.discardIfEphemeral();
        }
    }

    private ContainerRequest applyTo(ContainerRequest r, Path cwd) {
        List<Mount> allMounts = new ArrayList<>(r.mounts());
        for (String m : mounts) {
            allMounts.add(ContainerRequest.parseMount(m, cwd));
        }
        Map<String, String> allEnv = new LinkedHashMap<>(r.env());
        for (String e : env) {
            var pair = ContainerRequest.parsePair("--env", e);
            allEnv.put(pair.getKey(), pair.getValue());
        }
        Map<String, String> allAnnotations = new LinkedHashMap<>(r.annotations());
        for (String a : annotations) {
            var pair = ContainerRequest.parsePair("--annotation", a);
            allAnnotations.put(pair.getKey(), pair.getValue());
        }
        return new ContainerRequest(r.image(), workdir != null ? workdir : r.workdir(),
                entrypoint != null ? entrypoint : r.entrypoint(), writable != null ? writable : r.writable(),
                allMounts, r.devices(), allEnv, allAnnotations, r.command());
    }
}
