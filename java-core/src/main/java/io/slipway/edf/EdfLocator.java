package io.slipway.edf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Turns an {@code --environment} argument or a {@code base_environment} entry (already expanded)
 * into a file: a path when it starts with '.' or '/' or ends in ".toml" (relative to the caller's
 * working directory, not to the EDF naming it), otherwise a name looked up as
 * {@code DIR/NAME.toml} in each search-path directory, first hit wins. {@code consulted} is told of
 * every file looked at, found or not, before it is looked at: what the answer depends on.
 */
record EdfLocator(EdfSearchPath searchPath, Path cwd, Consumer<Path> consulted) {

    static boolean isPath(String reference) {
        return reference.startsWith(".") || reference.startsWith("/") || reference.endsWith(".toml");
    }

    /** @param where who asked: the location of the base_environment entry, or a description */
    Path locate(String reference, String where) {
        if (reference.isEmpty()) {
            throw new EdfException(where, "an empty string is not an EDF name or path");
        }
        if (isPath(reference)) {
            Path file = cwd.resolve(reference).normalize();
            consulted.accept(file);
            if (Files.isRegularFile(file)) {
                return file;
            }
            throw new EdfException(where, Files.isDirectory(file)
                    ? "EDF path " + file + " is a directory, not a file"
                    : "EDF file " + file + " does not exist"
                            + (reference.startsWith("/") ? "" : " (relative paths start from " + cwd + ")"));
        }
        List<Path> dirs = searchPath.all();
        for (Path dir : dirs) {
            Path file = dir.resolve(reference + ".toml").normalize();
            if (!file.startsWith(dir)) {
                continue;
            }
            consulted.accept(file);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new EdfException(where, "environment \"" + reference + "\" not found: no " + reference
                + ".toml in " + (dirs.isEmpty() ? "the search path (it is empty: set EDF_PATH or HOME)"
                        : dirs.stream().map(Path::toString).collect(Collectors.joining(", ")))
                + "; a path to a file must start with ./ or / or end in .toml");
    }
}
