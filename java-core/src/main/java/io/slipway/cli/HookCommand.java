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
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway hook NAME [ARGS]}: runs a built-in hook the way an OCI runtime runs a hook, with
 * the container state on stdin. Slipway's own runtime runs these hooks in process; this is for
 * other runtimes (the launcher {@code libexec/slipway/slipway-hook} calls it) and for debugging.
 */
@Command(name = "hook", mixinStandardHelpOptions = true,
        description = "Run a built-in hook as an OCI hook: the container state on stdin, the stage from its "
            + "status (or SLIPWAY_HOOK_STAGE).")
final class HookCommand implements Callable<Integer> {

    private final CliContext context;

    @Parameters(index = "0", paramLabel = "NAME", description = "the built-in hook")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "the hook's arguments")
    List<String> args = new ArrayList<>();

    HookCommand(CliContext context) {
        this.context = context;
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
