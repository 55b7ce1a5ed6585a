package io.slipway.edf;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A scratch world for EDF tests: a directory for files, an environment, a system EDF directory. */
final class EdfFixture {
    final Path dir;
    final Path home;
    final Path system;
    final Map<String, String> env = new HashMap<>();
    final List<EdfWarning> warnings = new ArrayList<>();
    Path cwd;

    EdfFixture(Path dir) {
        this.dir = dir;
        this.home = dir.resolve("home");
        this.system = dir.resolve("system");
        this.cwd = dir;
        env.put("HOME", home.toString());
        env.put("USER", "alice");
        env.put("SCRATCH", "/scratch/alice");
    }

    Path write(String relative, String text) {
        Path file = dir.resolve(relative);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** An EDF in the user's default directory, ~/.edf. */
    Path user(String name, String text) {
        return write("home/.edf/" + name + ".toml", text);
    }

    Edfs.Context context() {
        SlipwayConfig config = new SlipwayConfig(Optional.empty(), List.of(system), List.of(), List.of());
        return new Edfs.Context(env, cwd, config, warnings::add);
    }

    ResolvedEdf resolve(String argument) {
        return Edfs.resolve(argument, context());
    }

    ResolvedEdf resolve(String argument, Map<String, String> imageEnv) {
        return Edfs.resolve(Edfs.load(argument, context()), imageEnv, context());
    }

    EdfException fails(String argument) {
        return assertThrows(EdfException.class, () -> resolve(argument));
    }

    /** Resolves a one-file EDF given as text. */
    ResolvedEdf text(String toml) {
        write("t.toml", toml);
        return resolve(t());
    }

    EdfException textFails(String toml) {
        write("t.toml", toml);
        return fails(t());
    }

    String t() {
        return dir.resolve("t.toml").toString();
    }
}
