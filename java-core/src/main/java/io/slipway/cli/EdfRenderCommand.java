package io.slipway.cli;

import io.slipway.edf.EdfJson;
import io.slipway.edf.EdfToml;
import io.slipway.edf.Edfs;
import io.slipway.edf.ResolvedEdf;
import picocli.CommandLine.Model.CommandSpec;

final class EdfRenderCommand implements Runnable {

    enum Format { json, toml }

    private final CliContext context;

    String environment;

    Format format;

    EdfRenderCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        EdfRenderCommand command = new EdfRenderCommand(context);
        return CommandSpecs.command(command, "render",
                        "Print the fully resolved EDF: bases applied, variables expanded, paths absolute.")
                .addPositional(CommandSpecs.positional("1", "NAME|PATH", String.class, v -> command.environment = v)
                        .description("An EDF name from the search path, or a file path.").build())
                .addOption(CommandSpecs.option(Format.class, v -> command.format = v, "--format")
                        .defaultValue("json").description("json (default) or toml.").build());
    }

    @Override
    public void run() {
        ResolvedEdf edf = Edfs.resolve(environment, context.edfContext());
        context.out().print(format == Format.json ? EdfJson.write(edf) + "\n" : EdfToml.write(edf));
        context.out().flush();
    }
}
