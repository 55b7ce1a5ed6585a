package io.slipway.cli;

import io.slipway.config.Installation;
import io.slipway.hooks.Stage;
import io.slipway.hooks.builtin.BuiltinHooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code slipway hook NAME [ARGS]}: runs a built-in hook the way an OCI runtime runs a hook, with
 * the container state on stdin. Slipway's own runtime runs these hooks in process; this is for
 * other runtimes (the launcher {@code libexec/slipway/slipway-hook} calls it) and for debugging.
 */
final class HookCommand implements Callable<Integer> {

    private final CliContext context;

    String name;

    final List<String> args = new ArrayList<>();

    HookCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        HookCommand hook = new HookCommand(context);
        CommandSpec spec = CommandSpecs.command(hook, "hook", "Run a built-in hook as an OCI hook: the container "
                + "state on stdin, the stage from its status (or SLIPWAY_HOOK_STAGE).");
        // A hook's own --options follow its name.
        spec.parser().stopAtPositional(true).unmatchedOptionsArePositionalParams(true);
        return spec.addPositional(CommandSpecs.positional("1", "NAME", String.class, v -> hook.name = v).index("0")
                        .description("the built-in hook").build())
                .addPositional(CommandSpecs.positionals("0..*", "ARG", hook.args).index("1..*")
                        .description("the hook's arguments").build());
    }

    @Override
    public Integer call() throws IOException {
        String state = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        Stage stage = stage(state, context.environment().get("SLIPWAY_HOOK_STAGE"));
        Path libexec = Installation.current().map(Installation::libexecDir).orElse(null);
        BuiltinHooks.runStandalone(name, args, stage, state, context.environment(), libexec)
                .forEach(context.err()::println);
        context.err().flush();
        return 0;
    }

    static Stage stage(String state, String override) {
        if (override != null && !override.isEmpty()) {
            return Stage.ofJson(override);
        }
        String status = state.replaceAll("(?s).*\"status\"\\s*:\\s*\"([a-z]+)\".*", "$1");
        return switch (status) {
            case "created" -> Stage.START_CONTAINER;
            case "running" -> Stage.POSTSTART;
            case "stopped" -> Stage.POSTSTOP;
            default -> Stage.CREATE_CONTAINER;
        };
    }
}
