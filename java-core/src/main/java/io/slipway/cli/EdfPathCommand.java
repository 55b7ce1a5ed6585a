package io.slipway.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

final class EdfPathCommand implements Runnable {

    private final CliContext context;

    EdfPathCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        return CommandSpecs.command(new EdfPathCommand(context), "path",
                "Print the EDF search path, one directory per line, in lookup order.");
    }

    @Override
    public void run() {
        for (Path dir : context.edfContext().searchPath().all()) {
            context.out().println(dir);
        }
    }
}
