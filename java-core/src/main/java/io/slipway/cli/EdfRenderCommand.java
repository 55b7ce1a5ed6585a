package io.slipway.cli;

import io.slipway.edf.EdfJson;
import io.slipway.edf.EdfToml;
import io.slipway.edf.Edfs;
import io.slipway.edf.ResolvedEdf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Print the fully resolved EDF: bases applied, variables expanded, paths absolute.")
final class EdfRenderCommand implements Runnable {

    enum Format { json, toml }

    private final CliContext context;

    @Parameters(paramLabel = "NAME|PATH", description = "An EDF name from the search path, or a file path.")
    String environment;

    @Option(names = "--format", defaultValue = "json", description = "json (default) or toml.")
    Format format;

    EdfRenderCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        ResolvedEdf edf = Edfs.resolve(environment, context.edfContext());
        context.out().print(format == Format.json ? EdfJson.write(edf) + "\n" : EdfToml.write(edf));
        context.out().flush();
    }
}
