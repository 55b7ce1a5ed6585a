package io.slipway.cli;

import picocli.CommandLine.Command;

@Command(name = "edf", description = "Validate and render Environment Definition Files.",
        mixinStandardHelpOptions = true,
        subcommands = {EdfRenderCommand.class, EdfValidateCommand.class, EdfPathCommand.class})
final class EdfCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: render, validate or path");
    }
}
