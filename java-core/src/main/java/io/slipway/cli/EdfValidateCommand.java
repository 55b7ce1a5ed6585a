package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.edf.Edfs;
import io.slipway.edf.ResolvedEdf;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check EDFs: exit 0 when all are valid, 1 otherwise, with every error printed.")
final class EdfValidateCommand implements Callable<Integer> {

    private final CliContext context;

    @Parameters(paramLabel = "NAME|PATH", arity = "1..*", description = "EDF names or file paths.")
    List<String> environments;

    EdfValidateCommand(CliContext context) {
        this.context = context;
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
