package io.slipway.cli;

import io.slipway.hooks.OciHook;
import io.slipway.hooks.OciHooks;
import io.slipway.hooks.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

final class HooksCommand implements Runnable {

    private final CliContext context;

    HooksCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        return CommandSpecs.command(new HooksCommand(context), "hooks",
                "List the configured OCI hooks in the order they run, like `sarus hooks`.");
    }

    @Override
    public void run() {
        List<Path> dirs = context.config().hooksDirs();
        List<OciHook> hooks = OciHooks.load(dirs);
        context.out().printf("%-28s %-40s %-36s %s%n", "NAME", "PATH", "STAGES", "CONDITIONS");
        for (OciHook h : hooks) {
            String stages = h.stages().stream().map(Stage::jsonName).collect(Collectors.joining(","));
            context.out().printf("%-28s %-40s %-36s %s%n", h.name(), h.path(), stages, h.when().describe());
        }
        if (hooks.isEmpty()) {
            context.out().println("(no hooks in " + dirs.stream().map(Path::toString).collect(Collectors.joining(", "))
                    + ")");
        }
        context.out().flush();
    }
}
