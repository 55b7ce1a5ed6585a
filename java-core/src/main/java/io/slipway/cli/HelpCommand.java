package io.slipway.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code slipway help [COMMAND]}: the usage help of slipway or of one of its commands. picocli's
 * own {@link CommandLine.HelpCommand} is declared with annotations; this is the same command
 * declared in code.
 */
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {

    private String command;
    private CommandLine self;
    private Help.ColorScheme colors;
    private PrintWriter out;

    static CommandSpec spec() {
        HelpCommand help = new HelpCommand();
        CommandSpec spec = CommandSpec.wrapWithoutInspection(help).name("help").helpCommand(true);
        spec.usageMessage().header("Display help information about the specified command.")
                .synopsisHeading("%nUsage: ")
                .description("%nWhen no COMMAND is given, the usage help for the main command is displayed.",
                        "If a COMMAND is specified, the help for that command is shown.%n");
        return spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).paramLabel("<helpRequested>")
                        .description("Show usage help for the help command and exit.").build())
                .addPositional(CommandSpecs.positional("0..1", "COMMAND", String.class, v -> help.command = v)
                        .description("The COMMAND to display the usage help message for.").build());
    }

    @Override
    public void init(CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = out;
    }

    @Override
    public void run() {
        CommandLine parent = self.getParent();
        if (command == null) {
            parent.usage(out, colors);
            return;
        }
        CommandLine subcommand = parent.getSubcommands().get(command);
        if (subcommand == null) {
            throw new CommandLine.ParameterException(parent, "Unknown subcommand '" + command + "'.", null, command);
        }
        subcommand.usage(out, colors);
    }
}
