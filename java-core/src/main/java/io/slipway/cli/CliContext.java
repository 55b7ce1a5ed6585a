package io.slipway.cli;

import io.slipway.config.ConfigLoader;
import io.slipway.config.Installation;
import io.slipway.config.SlipwayConfig;
import io.slipway.edf.EdfWarning;
import io.slipway.edf.Edfs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/** What a command sees of the world: the caller's environment, directory and output streams. */
public record CliContext(Map<String, String> environment, Path cwd, PrintWriter out, PrintWriter err) {

    public static CliContext ofProcess() {
        return new CliContext(System.getenv(), Path.of("").toAbsolutePath(),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    SlipwayConfig config() {
        return ConfigLoader.load(environment, Installation.current());
    }

    Edfs.Context edfContext() {
        return new Edfs.Context(environment, cwd, config(), this::warn);
    }

    void warn(EdfWarning warning) {
        err.println("slipway: warning: " + warning);
    }
}
