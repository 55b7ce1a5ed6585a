package io.slipway.cli;

import io.slipway.SlipwayException;
import io.slipway.config.Installation;
import io.slipway.hooks.builtin.SshKeys;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code slipway ssh-keygen [--overwrite]}: makes the user's keys for the SSH hook once (host key
 * and client key, in ~/.config/slipway/ssh); containers started with {@code com.hooks.ssh.enabled}
 * refuse to start without them.
 */
final class SshKeygenCommand implements Callable<Integer> {

    private final CliContext context;

    boolean overwrite;

    SshKeygenCommand(CliContext context) {
        this.context = context;
    }

    static CommandSpec spec(CliContext context) {
        SshKeygenCommand command = new SshKeygenCommand(context);
        return CommandSpecs.command(command, "ssh-keygen", "Make your SSH keys for containers with "
                        + "com.hooks.ssh.enabled (once; kept in ~/.config/slipway/ssh).")
                .addOption(CommandSpecs.option(boolean.class, v -> command.overwrite = v, "--overwrite")
                        .description("Replace existing keys (running containers keep the old ones).").build());
    }

    @Override
    public Integer call() {
        Path dropbear = Installation.current().map(i -> i.libexecDir().resolve("dropbear"))
                .orElseThrow(() -> new SlipwayException("cannot find Slipway's installation (libexec/slipway/dropbear)"));
        SshKeys keys = SshKeys.ofHome(Path.of(System.getProperty("user.home")));
        if (keys.generate(dropbear, overwrite)) {
            context.out().println("SSH keys made in " + keys.dir());
        } else {
            context.out().println("SSH keys already exist in " + keys.dir() + " (--overwrite replaces them)");
        }
        return 0;
    }
}
