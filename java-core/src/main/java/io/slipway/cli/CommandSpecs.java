package io.slipway.cli;

import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

/**
 * Builds the picocli model of the commands in code (picocli's programmatic API). Each command
 * declares its own in a static {@code spec} method; the values picocli parses go straight to the
 * command's fields through the setters made here.
 *
 * <p>Why not picocli's annotations: reading them cost about 35 ms of every start, a dynamic proxy
 * class per annotation type (which the CDS archive cannot hold) and generic-type reflection.
 */
final class CommandSpecs {

    private CommandSpecs() {
    }

    /** The model of {@code command}, with the -h/--help and -V/--version options every command has. */
    static CommandSpec command(Object command, String name, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name).versionProvider(Main.VERSION);
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).paramLabel("<helpRequested>")
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).paramLabel("<versionRequested>")
                .description("Print version information and exit.").build());
        return spec;
    }

    /**
     * The model of a command that only groups {@code subcommands}: run without one, it is a usage
     * error naming them.
     */
    static CommandSpec group(String name, String description, CommandSpec... subcommands) {
        SubcommandRequired command = new SubcommandRequired();
        CommandSpec spec = command(command, name, description);
        for (CommandSpec subcommand : subcommands) {
            spec.addSubcommand(subcommand.name(), subcommand);
        }
        command.spec = spec;
        return spec;
    }

    /**
     * An option taking one value of {@code type} (a flag for boolean), which goes to {@code field}.
     * Its value is called {@code <name>} (as picocli calls an annotated field's) unless set.
     */
    static <V> OptionSpec.Builder option(Class<V> type, Consumer<? super V> field, String... names) {
        String name = names[names.length - 1];
        return OptionSpec.builder(names).type(type).setter(new Setter<>(field)).hasInitialValue(false)
                .paramLabel("<" + name.substring(name.lastIndexOf('-', 1) + 1) + ">");
    }

    /** An option that may be repeated, each value added to {@code values}. */
    static OptionSpec.Builder repeatable(List<String> values, String... names) {
        Collector collector = new Collector(values);
        return OptionSpec.builder(names).type(List.class).auxiliaryTypes(String.class)
                .getter(collector).setter(collector).hasInitialValue(false);
    }

    /**
     * A positional parameter taking {@code arity} values of {@code type} (one, or none for "0..1"),
     * which go to {@code field}; required unless its arity allows none.
     */
    static <V> PositionalParamSpec.Builder positional(String arity, String label, Class<V> type,
            Consumer<? super V> field) {
        return PositionalParamSpec.builder().arity(arity).required(Range.valueOf(arity).min() > 0).paramLabel(label)
                .type(type).setter(new Setter<>(field)).hasInitialValue(false);
    }

    /** Positional parameters taking {@code arity} values, added to {@code values}; required unless it allows none. */
    static PositionalParamSpec.Builder positionals(String arity, String label, List<String> values) {
        Collector collector = new Collector(values);
        return PositionalParamSpec.builder().arity(arity).required(Range.valueOf(arity).min() > 0).paramLabel(label)
                .type(List.class).auxiliaryTypes(String.class).getter(collector).setter(collector)
                .hasInitialValue(false);
    }

    /** Hands a parsed value to a command's field. */
    private record Setter<V>(Consumer<? super V> field) implements ISetter {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            field.accept((V) value);
            return null;
        }
    }

    /**
     * The values of a multi-valued argument, kept in the command's list: picocli gets the list to
     * add to and sets the list it has filled.
     */
    private record Collector(List<String> values) implements IGetter, ISetter {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) values;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            if (value != values) {
                values.clear();
                values.addAll((List<String>) value);
            }
            return null;
        }
    }

    /** What a command that only groups subcommands does when run alone. */
    private static final class SubcommandRequired implements Runnable {
        CommandSpec spec;

        @Override
        public void run() {
            List<String> names = List.copyOf(spec.subcommands().keySet());
            String last = names.get(names.size() - 1);
            String list = names.size() == 1 ? last
                    : String.join(", ", names.subList(0, names.size() - 1)) + " or " + last;
            throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: " + list);
        }
    }
}
