package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

class MainTest {
    @TempDir
    Path tmp;
    final Map<String, String> env = new HashMap<>();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws Exception {
        Path config = tmp.resolve("slipway.toml");
        Files.writeString(config, "edf_system_search_path = \"" + tmp.resolve("system") + "\"\n");
        env.put("SLIPWAY_CONFIG", config.toString());
        env.put("HOME", tmp.resolve("home").toString());
        env.put("USER", "alice");
        Files.createDirectories(tmp.resolve("home/.edf"));
        Files.writeString(tmp.resolve("home/.edf/demo.toml"), "image = \"ubuntu:24.04\"\nworkdir = \"/home/${USER}\"\n");
    }

    private CliContext context() {
        return new CliContext(env, tmp, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private int run(String... args) {
        return Main.execute(context(), args);
    }

    /** The command object {@code args} name, with what picocli parsed into it. */
    private <T> T parsed(Class<T> type, String... args) {
        CommandLine.ParseResult result = Main.commandLine(context(), Main.commandName(args)).parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }

    @Test
    void renderPrintsTheResolvedEdfAsJson() throws Exception {
        assertThat(run("edf", "render", "demo")).isZero();
        var json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("image").asText()).isEqualTo("ubuntu:24.04");
        assertThat(json.get("workdir").asText()).isEqualTo("/home/alice");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void renderPrintsTomlOnRequest() {
        assertThat(run("edf", "render", "--format", "toml", "demo")).isZero();
        assertThat(out.toString()).contains("image = \"ubuntu:24.04\"\n").contains("workdir = \"/home/alice\"\n");
    }

    @Test
    void aBadEdfExitsOneWithTheLocatedMessage() throws Exception {
        Files.writeString(tmp.resolve("bad.toml"), "image = \"x\"\nwritable = \"no\"\n");
        assertThat(run("edf", "render", "./bad.toml")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).isEqualTo("slipway: error: " + tmp.resolve("bad.toml")
                + ":2:1: writable: expected a boolean (true or false, without quotes), found a string\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void validateChecksEveryArgumentAndFailsIfAnyFails() throws Exception {
        Files.writeString(tmp.resolve("bad.toml"), "image = \n");
        assertThat(run("edf", "validate", "demo", "./bad.toml", "missing")).isEqualTo(Main.USER_ERROR);
        assertThat(out.toString()).startsWith("demo: valid (");
        assertThat(err.toString()).contains("bad.toml:1:").contains("environment \"missing\" not found");
        out.getBuffer().setLength(0);
        assertThat(run("edf", "validate", "demo")).isZero();
    }

    @Test
    void warningsGoToStandardError() throws Exception {
        Files.writeString(tmp.resolve("w.toml"), "image = \"x\"\nimagee = \"y\"\n");
        assertThat(run("edf", "validate", "./w.toml")).isZero();
        assertThat(err.toString()).startsWith("slipway: warning: " + tmp.resolve("w.toml") + ":2:1: unknown key 'imagee'");
    }

    @Test
    void pathPrintsTheSearchPathOnePerLine() {
        env.put("EDF_PATH", "/a:/b");
        assertThat(run("edf", "path")).isZero();
        assertThat(out.toString()).isEqualTo("/a\n/b\n" + tmp.resolve("system") + "\n");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("edf", "render")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("Missing required parameter");
        assertThat(run("nonsense")).isEqualTo(Main.USAGE_ERROR);
        assertThat(run()).isEqualTo(Main.USAGE_ERROR);
        assertThat(run("edf", "render", "--format", "yaml", "demo")).isEqualTo(Main.USAGE_ERROR);
    }

    @Test
    void aBadConfigurationIsAUserError() throws Exception {
        Files.writeString(tmp.resolve("slipway.toml"), "bogus = 1\n");
        assertThat(run("edf", "render", "demo")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("unknown configuration key 'bogus'");
    }

    @Test
    void anInternalErrorExitsThreeAndShowsTheTraceOnlyWithDebug() {
        env.put("EDF_PATH", "/\0bad");
        assertThat(run("edf", "path")).isEqualTo(Main.INTERNAL_ERROR);
        assertThat(err.toString()).contains("slipway: internal error:").contains("--debug").doesNotContain("\tat ");
        err.getBuffer().setLength(0);
        assertThat(run("--debug", "edf", "path")).isEqualTo(Main.INTERNAL_ERROR);
        assertThat(err.toString()).contains("\tat ");
    }

    @Test
    void versionAndHelpExitZero() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("slipway ");
        assertThat(run("help", "edf")).isZero();
        assertThat(out.toString()).contains("render").contains("validate").contains("path");
    }

    @Test
    void helpSeesEveryCommandAndANamedOneRunsAlone() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("edf").contains("image").contains("run").contains("container")
                .contains("hooks").contains("hook").contains("ssh-keygen");
        assertThat(run("imgae")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("imgae").contains("slipway --help");
        assertThat(run("--debug", "edf", "path")).isZero();
        assertThat(Main.commandName("--debug", "run", "--image", "x")).isEqualTo("run");
        assertThat(Main.commandName("--version")).isNull();
        assertThat(Main.commandName("--help", "run")).isNull();
    }

    @Test
    void everyCommandsHelpListsItsOptionsAndParameters() {
        List<CommandLine> commands = new ArrayList<>(List.of(Main.commandLine(context(), null)));
        for (int i = 0; i < commands.size(); i++) {
            CommandLine command = commands.get(i);
            commands.addAll(command.getSubcommands().values());
            List<String> args = new ArrayList<>(List.of(command.getCommandSpec().qualifiedName().split(" ")));
            args.set(0, "--help");
            Collections.rotate(args, -1);
            out.getBuffer().setLength(0);
            assertThat(run(args.toArray(String[]::new))).as(args.toString()).isZero();
            assertThat(out.toString()).as(args.toString())
                    .startsWith(command.getCommandSpec().helpCommand() ? "Display help" : "Usage: ");
            for (OptionSpec option : command.getCommandSpec().options()) {
                assertThat(out.toString()).as(args.toString()).contains(option.negatable()
                        ? option.longestName().replace("--", "--[no-]") : option.longestName());
            }
            for (PositionalParamSpec parameter : command.getCommandSpec().positionalParameters()) {
                assertThat(out.toString()).as(args.toString()).contains(parameter.paramLabel());
            }
        }
        assertThat(commands).hasSize(19);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void runLeavesEverythingAfterItsCommandToTheCommand() {
        RunCommand run = parsed(RunCommand.class, "run", "--image", "x", "--env", "A=1", "--env", "B=2",
                "--mount", "/a:/b", "--readonly", "--no-entrypoint", "ls", "--image", "y", "-l");
        assertThat(run.options.image).isEqualTo("x");
        assertThat(run.options.env).containsExactly("A=1", "B=2");
        assertThat(run.options.mounts).containsExactly("/a:/b");
        assertThat(run.options.writable).isFalse();
        assertThat(run.options.entrypoint).isFalse();
        assertThat(run.command).containsExactly("ls", "--image", "y", "-l");
        RunCommand plain = parsed(RunCommand.class, "run", "--image", "x", "--", "--weird");
        assertThat(plain.options.writable).isNull();
        assertThat(plain.options.entrypoint).isNull();
        assertThat(plain.command).containsExactly("--weird");
        assertThat(run("run", "--writable", "--readonly", "true")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("--writable, --readonly are mutually exclusive");
    }

    @Test
    void containerExecAndHookLeaveTheirArgumentsAlone() {
        ContainerCommand.Exec exec = parsed(ContainerCommand.Exec.class, "container", "exec", "12", "ls", "-l");
        assertThat(exec.pid).isEqualTo(12);
        assertThat(exec.command).containsExactly("ls", "-l");
        assertThat(parsed(ContainerCommand.Exec.class, "container", "exec", "12", "--", "ls").command)
                .containsExactly("--", "ls");
        HookCommand hook = parsed(HookCommand.class, "hook", "slurm", "--foo", "bar", "-x");
        assertThat(hook.name).isEqualTo("slurm");
        assertThat(hook.args).containsExactly("--foo", "bar", "-x");
        assertThat(run("container", "exec", "12")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("Missing required parameter: 'CMD'");
    }

    @Test
    void debugCountsAfterTheCommandAndEveryCommandPrintsTheVersion() {
        env.put("EDF_PATH", "/\0bad");
        assertThat(run("edf", "path", "--debug")).isEqualTo(Main.INTERNAL_ERROR);
        assertThat(err.toString()).contains("\tat ");
        assertThat(run("run", "-V")).isZero();
        assertThat(out.toString()).startsWith("slipway ");
        out.getBuffer().setLength(0);
        assertThat(run("--help", "run")).isZero();
        assertThat(out.toString()).contains("edf").contains("ssh-keygen");
    }
}
