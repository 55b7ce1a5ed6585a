package io.slipway.cli;

import io.slipway.Json;
import io.slipway.SlipwayException;
import io.slipway.config.Installation;
import io.slipway.runtime.ContainerStarter;
import io.slipway.runtime.KeptContainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code slipway container}: kept containers, as a Slurm step uses them, by hand. */
@Command(name = "container", mixinStandardHelpOptions = true,
        description = "Start, enter and stop kept containers: containers whose init waits, stopped, for "
            + "processes to join it, as in a Slurm step.",
        subcommands = {ContainerCommand.Start.class, ContainerCommand.Stop.class, ContainerCommand.Exec.class})
final class ContainerCommand implements Runnable {

    private final CliContext context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    ContainerCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: start, stop or exec");
    }

    @Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Start a kept container; print its id, pid and runtime directory.",
                "Prints one JSON line, {\"id\":...,\"pid\":...,\"runtimeDir\":...}, once the keeper has "
                + "stopped itself. The options are slipway run's; there is no command."})
    static final class Start implements Runnable {

        @ParentCommand
        ContainerCommand parent;

        @Mixin
        ContainerOptions options;

        @ArgGroup(exclusive = true)
        ContainerOptions.Writability writability;

        @Override
        public void run() {
            KeptContainer kept = options.launch(parent.context, writability, List.of(), true,
                    (starter, spec, hooks) -> starter.startKept(spec, hooks));
            parent.context.out().println(Json.write(Json.object().put("id", kept.id())
                    .put("pid", kept.pid()).put("runtimeDir", kept.runtimeDir().toString())));
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop a kept container: end its keeper, run the poststop hooks, remove RUNTIME_DIR.")
    static final class Stop implements Runnable {

        @ParentCommand
        ContainerCommand parent;

        @Parameters(paramLabel = "RUNTIME_DIR", description = "The runtimeDir that container start printed.")
        Path runtimeDir;

        @Override
        public void run() {
            ContainerStarter.stopKept(parent.context.cwd().resolve(runtimeDir), parent.context.err());
        }
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = {"Run a command in a kept container, joined as a Slurm task joins it.",
                "The command gets the container's namespaces (never the pid namespace), working directory and "
                + "environment; this exits with its status."})
    static final class Exec implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "PID", description = "The pid that container start printed.")
        long pid;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD",
                description = "[--] the command and its arguments.")
        List<String> command = new ArrayList<>();

        @Override
        public Integer call() {
            Installation installation = Installation.current().orElseThrow(() ->
                    new SlipwayException("container exec needs an installed tree (helpers in libexec/slipway)"));
            List<String> argv = new ArrayList<>(List.of(installation.libexecDir().resolve("slipway-nsexec").toString(),
                    "--task", Long.toString(pid), "--"));
            // Everything after PID is the command (stop at positional); a "--" before it is optional.
            argv.addAll(command.get(0).equals("--") ? command.subList(1, command.size()) : command);
            try {
                Process p = new ProcessBuilder(argv).inheritIO().start();
                while (true) {
                    try {
                        return p.waitFor();
                    } catch (InterruptedException e) {
                        // Keep waiting: the command decides when it ends.
                    }
                }
            } catch (IOException e) {
                throw new SlipwayException("cannot run slipway-nsexec: " + e.getMessage(), e);
            }
        }
    }
}
