package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.posix.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "slipway", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Containerized user environments for Slurm.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:user error (bad EDF, missing file...)", "2:usage error",
            "3:internal error"})
public final class Main implements Runnable {

    public static final int OK = 0;
    public static final int USER_ERROR = 1;
    public static final int USAGE_ERROR = 2;
    public static final int INTERNAL_ERROR = 3;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces of internal errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
    private static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("edf", EdfCommand.class);
        m.put("image", ImageCommand.class);
        m.put("run", RunCommand.class);
        m.put("container", ContainerCommand.class);
        m.put("hooks", HooksCommand.class);
        m.put("hook", HookCommand.class);
        m.put("ssh-keygen", SshKeygenCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return m;
    }

    public static int execute(CliContext context, String... args) {
        CommandLine cli = new CommandLine(new Main(), new ContextFactory(context));
        // picocli builds the model of every command it is given, by reflection: about 60 ms of
        // each start for commands that will not run. Only the named command is added; help, a
        // typo or no command at all get every one, so help and suggestions see them all.
        String named = commandName(args);
        COMMANDS.forEach((name, type) -> {
            if (named == null || !COMMANDS.containsKey(named) || named.equals("help") || named.equals(name)) {
                cli.addSubcommand(name, type);
            }
        });
        CommandLine run = cli.getSubcommands().get("run");
        if (run != null) {
            // Everything after the command of `slipway run` belongs to that command, options included.
            run.setStopAtPositional(true);
        }
        CommandLine container = cli.getSubcommands().get("container");
        if (container != null) {
            container.getSubcommands().get("exec").setStopAtPositional(true);
        }
        CommandLine hook = cli.getSubcommands().get("hook");
        if (hook != null) {
            // A hook's own --options follow its name.
            hook.setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(true);
        }
        cli.setOut(context.out());
        cli.setErr(context.err());
        cli.setExecutionExceptionHandler((e, line, parsed) -> handle(e, context, line));
        cli.setParameterExceptionHandler((e, args1) -> {
            context.err().println("slipway: " + e.getMessage());
            context.err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return USAGE_ERROR;
        });
        return cli.execute(args);
    }

    /** The first argument that is not an option of slipway itself, or null. */
    static String commandName(String... args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    private static int handle(Exception e, CliContext context, CommandLine line) {
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

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    static final class Version implements CommandLine.IVersionProvider {
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

    /** Gives every command that wants one the {@link CliContext}. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(CliContext.class).newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
