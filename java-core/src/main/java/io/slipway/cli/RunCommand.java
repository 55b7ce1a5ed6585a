package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.config.Installation;
import io.slipway.config.SlipwayConfig;
import io.slipway.edf.Edfs;
import io.slipway.edf.LoadedEdf;
import io.slipway.edf.Mount;
import io.slipway.edf.ResolvedEdf;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a command in a container, as the calling user, and exit with its status.",
            "Options add to and override what the EDF says."})
final class RunCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--environment", paramLabel = "NAME|PATH", description = "The EDF to use: a name or a file.")
    String environment;

    @Option(names = "--image", paramLabel = "REF", description = "The image (a squashfs file); overrides the EDF's.")
    String image;

    @Option(names = "--mount", paramLabel = "SRC:DST[:FLAGS]", description = "Add a bind mount (flags joined by '+').")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Set a variable (an empty value unsets it).")
    List<String> env = new ArrayList<>();

    @Option(names = "--workdir", paramLabel = "DIR", description = "Working directory in the container.")
    String workdir;

    static final class Writability {
        @Option(names = "--writable", description = "Writable root filesystem (changes vanish at exit).")
        boolean writable;

        @Option(names = "--readonly", description = "Read-only root filesystem.")
        boolean readonly;
    }

    @ArgGroup(exclusive = true)
    Writability writability;

    @Option(names = "--entrypoint", negatable = true, description = "Run the image Entrypoint (default: the EDF's).")
    Boolean entrypoint;

    @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "Add an annotation (OCI hooks see it).")
    List<String> annotations = new ArrayList<>();

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments (default: the image Cmd).")
    List<String> command = new ArrayList<>();

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (ProgressListener progress = ProgressListener.onStderr(context)) {
            ImageService service = ImageCommand.service(context, progress, null);
            return run(reference -> {
                ImportedImage imported = service.ensure(reference);
                progress.finish();
                return imported;
            });
        }
    }

    private int run(ImageResolver images) {
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
            imported = images.resolve(reference);
            ResolvedEdf resolved = Edfs.resolve(loaded, imported.config().envMap(), edfContext);
            request = ContainerRequest.of(resolved, command);
        } else {
            if (image == null) {
                throw new SlipwayException("give --environment or --image");
            }
            imported = images.resolve(image);
            request = new ContainerRequest(image, null, true, true, List.of(), List.of(), Map.of(), Map.of(), command);
        }
        request = applyOptions(request);

        Installation installation = Installation.current().orElseThrow(() ->
                new SlipwayException("slipway run needs an installed tree (its helpers live in libexec/slipway)"));
        int uid = Posix.getuid();
        Identity identity = Identity.of(uid, Posix.getgid(), hostEnv, Path.of("/etc"));
        RuntimeSettings settings = RuntimeSettings.of(config, hostEnv, uid, installation.libexecDir());
        String id = "slipway-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextInt() & 0xffffffffL);
        ContainerSpec spec = ContainerPlanner.plan(id, request, imported, settings, identity, hostEnv);
        try {
            return new ContainerStarter(settings, hostEnv, context.err()).run(spec, OciHooks.load(config.hooksDirs()));
        } finally {
            imported.discardIfEphemeral();
        }
    }

    private ContainerRequest applyOptions(ContainerRequest r) {
        List<Mount> allMounts = new ArrayList<>(r.mounts());
        for (String m : mounts) {
            allMounts.add(ContainerRequest.parseMount(m, context.cwd()));
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
        boolean writable = writability == null ? r.writable() : writability.writable;
        return new ContainerRequest(r.image(), workdir != null ? workdir : r.workdir(),
                entrypoint != null ? entrypoint : r.entrypoint(), writable, allMounts, r.devices(), allEnv,
                allAnnotations, r.command());
    }
}
