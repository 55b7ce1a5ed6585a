package io.slipway.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a command in a container, as the calling user, and exit with its status.",
            "Options add to and override what the EDF says."})
final class RunCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    ContainerOptions options;

    @ArgGroup(exclusive = true)
    ContainerOptions.Writability writability;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments (default: the image Cmd).")
    List<String> command = new ArrayList<>();

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        return options.launch(context, writability, command, false, (starter, spec, hooks) -> starter.run(spec, hooks));
    }
}
