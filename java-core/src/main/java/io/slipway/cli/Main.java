package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.posix.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;

/** The {@code slipway} command: the root of the command tree, and how failures become exit codes. */
public final class Main implements Runnable {

    public static final int OK = 0;
    public static final int USER_ERROR = 1;
    public static final int USAGE_ERROR = 2;
    public static final int INTERNAL_ERROR = 3;

    /** What -V prints, for every command. */
    static final CommandLine.IVersionProvider VERSION = new Version();

    boolean debug;

    private CommandSpec spec;

    public static void main(String[] args) {
        CliContext context = CliContext.ofProcess();
        int status = execute(context, args);
        context.out().flush();
        context.err().flush();
        System.out.flush();
        System.err.flush();
        // Every command has finished its cleanup by now (finally blocks, kept containers handed
        // over); the shutdown hooks only matter when a signal ends the JVM early.
        Posix.exitNow(status);
    }

    /** The commands, in the order help lists them. */
    private static final List<String> COMMANDS =
            List.of("edf", "image", "run", "container", "hooks", "hook", "ssh-keygen", "help");

    /** The model of the command {@code name}. */
    private static CommandSpec command(String name, CliContext context) {
        return switch (name) {
            case "edf" -> EdfCommand.spec(context);
            case "image" -> ImageCommand.spec(context);
            case "run" -> RunCommand.spec(context);
            case "container" -> ContainerCommand.spec(context);
            case "hooks" -> HooksCommand.spec(context);
            case "hook" -> HookCommand.spec(context);
            case "ssh-keygen" -> SshKeygenCommand.spec(context);
            case "help" -> HelpCommand.spec();
            default -> throw new IllegalArgumentException("no command " + name);
        };
    }

    public static int execute(CliContext context, String... args) {
        CommandLine cli = commandLine(context, commandName(args));
        cli.setOut(context.out());
        cli.setErr(context.err());
        Failures failures = new Failures(context);
        cli.setExecutionExceptionHandler(failures);
        cli.setParameterExceptionHandler(failures);
        return cli.execute(args);
    }

    /**
     * The command tree with the command {@code named} only, when it is one: the others will not
     * run. Help, a typo or no command at all get every one, so help and suggestions see them all.
     */
    static CommandLine commandLine(CliContext context, String named) {
        Main main = new Main();
        main.spec = CommandSpecs.command(main, "slipway", "Containerized user environments for Slurm.");
        Map<String, String> exitCodes = new LinkedHashMap<>();
        exitCodes.put("0", "success");
        exitCodes.put("1", "user error (bad EDF, missing file...)");
        exitCodes.put("2", "usage error");
        exitCodes.put("3", "internal error");
        main.spec.usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes);
        main.spec.addOption(CommandSpecs.option(boolean.class, v -> main.debug = v, "--debug")
                .scopeType(ScopeType.INHERIT).description("Show stack traces of internal errors.").build());
        CommandLine cli = new CommandLine(main.spec);
        boolean all = named == null || !COMMANDS.contains(named) || named.equals("help");
        for (String name : COMMANDS) {
            if (all || named.equals(name)) {
                cli.addSubcommand(name, command(name, context));
            }
        }
        return cli;
    }

    /**
     * The first argument that is not an option of slipway itself, or null: also when an option
     * other than --debug comes first, since help asked for there lists every command.
     */
    static String commandName(String... args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
            if (!a.equals("--debug")) {
                return null;
            }
        }
        return null;
    }

    /**
     * What a failure prints and the exit status it gives. A class rather than lambdas: the CDS
     * archive cannot hold a lambda of picocli's interfaces (picocli's class files are Java 5's).
     */
    private record Failures(CliContext context)
            implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] args) {
            context.err().println("slipway: " + e.getMessage());
            context.err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return USAGE_ERROR;
        }

        @Override
        public int handleExecutionException(Exception e, CommandLine line, CommandLine.ParseResult parsed) {
            if (e instanceof SlipwayException) {
                context.err().println("slipway: error: " + e.getMessage());
                return USER_ERROR;
            }
            Main root = line.getCommandSpec().root().commandLine().getCommand();
            context.err().println("slipway: internal error: " + e);
            if (root.debug) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                context.err().print(trace);
            } else {
                context.err().println("slipway: run again with --debug for the stack trace");
            }
            return INTERNAL_ERROR;
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    private static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/io/slipway/version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {"slipway " + properties.getProperty("version", "unknown"),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
