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
import picocli.CommandLine.Model.CommandSpec;

/** {@code slipway container}: kept containers, as a Slurm step uses them, by hand. */
final class ContainerCommand {

    private ContainerCommand() {
    }

    static CommandSpec spec(CliContext context) {
        return CommandSpecs.group("container", "Start, enter and stop kept containers: containers whose init waits, "
                        + "stopped, for processes to join it, as in a Slurm step.",
                Start.spec(context), Stop.spec(context), Exec.spec());
    }

    static final class Start implements Runnable {

        private final CliContext context;

        final ContainerOptions options = new ContainerOptions();

        Start(CliContext context) {
            this.context = context;
        }

        static CommandSpec spec(CliContext context) {
            Start start = new Start(context);
            return start.options.addTo(CommandSpecs.command(start, "start",
                    "Start a kept container; print its id, pid and runtime directory.",
                    "Prints one JSON line, {\"id\":...,\"pid\":...,\"runtimeDir\":...}, once the keeper has "
                    + "stopped itself. The options are slipway run's; there is no command."));
        }

        @Override
        public void run() {
            KeptContainer kept = options.launch(context, List.of(), true,
                    (starter, spec, hooks) -> starter.startKept(spec, hooks));
            context.out().println(Json.write(Json.object().put("id", kept.id())
                    .put("pid", kept.pid()).put("runtimeDir", kept.runtimeDir().toString())));
        }
    }

    static final class Stop implements Runnable {

        private final CliContext context;

        Path runtimeDir;

        Stop(CliContext context) {
            this.context = context;
        }

        static CommandSpec spec(CliContext context) {
            Stop stop = new Stop(context);
            return CommandSpecs.command(stop, "stop",
                            "Stop a kept container: end its keeper, run the poststop hooks, remove RUNTIME_DIR.")
                    .addPositional(CommandSpecs.positional("1", "RUNTIME_DIR", Path.class, v -> stop.runtimeDir = v)
                            .description("The runtimeDir that container start printed.").build());
        }

        @Override
        public void run() {
            ContainerStarter.stopKept(context.cwd().resolve(runtimeDir), context.err());
        }
    }

    static final class Exec implements Callable<Integer> {

        long pid;

        final List<String> command = new ArrayList<>();

        static CommandSpec spec() {
            Exec exec = new Exec();
            CommandSpec spec = CommandSpecs.command(exec, "exec",
                    "Run a command in a kept container, joined as a Slurm task joins it.",
                    "The command gets the container's namespaces (never the pid namespace), working directory and "
                    + "environment; this exits with its status.");
            spec.parser().stopAtPositional(true);
            return spec.addPositional(CommandSpecs.positional("1", "PID", long.class, v -> exec.pid = v).index("0")
                            .description("The pid that container start printed.").build())
                    .addPositional(CommandSpecs.positionals("1..*", "CMD", exec.command).index("1..*")
                            .description("[--] the command and its arguments.").build());
        }

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
