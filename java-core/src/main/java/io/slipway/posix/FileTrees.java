package io.slipway.posix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing directory trees that are scratch space: runtime directories, temporary imports, keys in the making. */
public final class FileTrees {

    private FileTrees() {}

    /**
     * Removes {@code dir} and everything below it, deepest first, without following symbolic
     * links. Best effort: what cannot be removed stays (a caller that must know checks after),
     * and a missing {@code dir} is no error.
     */
    public static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort, as documented.
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // Missing, or a directory below cannot be read (the walk fails while sorting): nothing
            // more to do here; a caller that must know checks after.
        }
    }
}
