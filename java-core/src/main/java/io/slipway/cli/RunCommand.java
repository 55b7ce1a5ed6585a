package io.slipway.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class RunCommand implements Callable<Integer> {

    private final CliContext context;

    final ContainerOptions options = new ContainerOptions();

    final List<String> command = new ArrayList<>();

    RunCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        RunCommand run = new RunCommand(context);
        CommandSpec spec = CommandSpecs.command(run, "run",
                "Run a command in a container, as the calling user, and exit with its status.",
                "Options add to and override what the EDF says.");
        // Everything after the command belongs to it, options included.
        spec.parser().stopAtPositional(true);
        return run.options.addTo(spec).addPositional(CommandSpecs.positionals("0..*", "CMD", run.command)
                .description("The command and its arguments (default: the image Cmd).").build());
    }

    @Override
    public Integer call() {
        return options.launch(context, command, false, (starter, spec, hooks) -> starter.run(spec, hooks));
    }
}
