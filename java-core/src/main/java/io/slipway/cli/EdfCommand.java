package io.slipway.cli;

import picocli.CommandLine.Model.CommandSpec;

/** {@code slipway edf}: the EDF commands. */
final class EdfCommand {

    private EdfCommand() {
    }

    static CommandSpec spec(CliContext context) {
        return CommandSpecs.group("edf", "Validate and render Environment Definition Files.",
                EdfRenderCommand.spec(context), EdfValidateCommand.spec(context), EdfPathCommand.spec(context));
    }
}
