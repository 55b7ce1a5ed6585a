package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.edf.Edfs;
import io.slipway.edf.ResolvedEdf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class EdfValidateCommand implements Callable<Integer> {

    private final CliContext context;

    final List<String> environments = new ArrayList<>();

    EdfValidateCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        EdfValidateCommand command = new EdfValidateCommand(context);
        return CommandSpecs.command(command, "validate",
                        "Check EDFs: exit 0 when all are valid, 1 otherwise, with every error printed.")
                .addPositional(CommandSpecs.positionals("1..*", "NAME|PATH", command.environments)
                        .description("EDF names or file paths.").build());
    }

    @Override
    public Integer call() {
        Edfs.Context edfContext = context.edfContext();
        int status = Main.OK;
        for (String environment : environments) {
            try {
                ResolvedEdf edf = Edfs.resolve(environment, edfContext);
                context.out().println(environment + ": valid (" + String.join(", ", edf.sources()) + ")");
            } catch (SlipwayException e) {
                context.err().println("slipway: error: " + e.getMessage());
                status = Main.USER_ERROR;
            }
        }
        return status;
    }
}
