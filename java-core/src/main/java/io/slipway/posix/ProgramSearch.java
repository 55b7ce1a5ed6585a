package io.slipway.posix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finding a program the way a shell does: the first executable regular file of that name. */
public final class ProgramSearch {

    private ProgramSearch() {}

    /** The first executable {@code name} in {@code dirs}. */
    public static Optional<Path> find(String name, List<Path> dirs) {
        return dirs.stream().map(d -> d.resolve(name)).filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst();
    }

    /** The directories of a PATH-style list (empty entries skipped; null is no directory). */
    public static List<Path> dirs(String pathList) {
        return pathList == null ? List.of() : Stream.of(pathList.split(":")).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }
}
