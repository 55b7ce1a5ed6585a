package io.slipway.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;

@Command(name = "path", mixinStandardHelpOptions = true,
        description = "Print the EDF search path, one directory per line, in lookup order.")
final class EdfPathCommand implements Runnable {

    private final CliContext context;

    EdfPathCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        for (Path dir : context.edfContext().searchPath().all()) {
            context.out().println(dir);
        }
    }
}
