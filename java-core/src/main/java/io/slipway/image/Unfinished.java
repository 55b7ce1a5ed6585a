package io.slipway.image;

import io.slipway.posix.FileTrees;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Files and directories an import is still writing (a blob's temporary, a squashfs temporary, a
 * cache-free image's directory). A cancelled pull (scancel or Ctrl-C send SIGTERM, and the JVM
 * then runs its shutdown hooks, not the {@code finally} blocks of the threads it stops) must not
 * leave them behind, so one shutdown hook deletes whatever is still registered. SIGKILL leaves
 * them to the next import of the image or to {@code slipway image prune}, as before.
 */
final class Unfinished {

    private static final Set<Path> PATHS = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private Unfinished() {}

    /** Deletes {@code path} (a file or a whole directory) if the JVM shuts down before {@link #done}. */
    static void add(Path path) {
        if (HOOKED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(Unfinished::deleteAll, "slipway-unfinished-imports"));
        }
        PATHS.add(path);
    }

    /** {@code path} was published or removed: nothing to do for it at shutdown. */
    static void done(Path path) {
        PATHS.remove(path);
    }

    private static void deleteAll() {
        for (Path p : PATHS) {
            FileTrees.deleteQuietly(p);
        }
    }
}
