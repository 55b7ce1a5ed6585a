package io.slipway.posix;

import io.slipway.SlipwayException;
import io.slipway.config.Installation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/** POSIX identity and terminal queries. The library loads on first use. */
public final class Posix {

    /** Overrides the library location (the tests use the freshly built one). */
    public static final String LIBRARY_PROPERTY = "slipway.native.library";

    private static volatile boolean loaded;

    private Posix() {}

    /** Whether {@code fd} is a terminal: progress bars only where a person watches. */
    public static boolean isatty(int fd) {
        ensureLoaded();
        return isatty0(fd);
    }

    public static int getuid() {
        ensureLoaded();
        return getuid0();
    }

    public static int geteuid() {
        ensureLoaded();
        return geteuid0();
    }

    public static int getgid() {
        ensureLoaded();
        return getgid0();
    }

    /** Sends {@code signal} to process {@code pid}; false when it no longer exists. */
    public static boolean kill(long pid, int signal) {
        ensureLoaded();
        return kill0((int) pid, signal) == 0;
    }

    /**
     * A pidfd for process {@code pid} (pidfd_open): it names that process for good, so signals sent
     * through it never reach a later process given the same pid. Empty when there is no such process.
     */
    public static OptionalInt pidfdOpen(long pid) {
        ensureLoaded();
        int fd = pidfdOpen0((int) pid);
        return fd >= 0 ? OptionalInt.of(fd) : OptionalInt.empty();
    }

    /** Sends {@code signal} through a pidfd; false when its process has exited. */
    public static boolean pidfdSignal(int pidfd, int signal) {
        ensureLoaded();
        return pidfdSendSignal0(pidfd, signal) == 0;
    }

    /** Closes a descriptor this class opened. */
    public static void close(int fd) {
        ensureLoaded();
        close0(fd);
    }

    /**
     * A close-on-exec pipe of about {@code size} bytes (best effort): {@code [read, write]}. Open
     * its ends as files through {@code /proc/self/fd/N} (a child's redirect, a stream) and
     * {@link #close} these descriptors.
     */
    public static int[] pipe(int size) {
        ensureLoaded();
        int[] fds = new int[2];
        int errno = pipe0(size, fds);
        if (errno != 0) {
            throw new SlipwayException("cannot create a pipe (errno " + errno + ")");
        }
        return fds;
    }

    /** Creates a FIFO readable and writable by its owner only. */
    public static void mkfifo(Path path) {
        ensureLoaded();
        int errno = mkfifo0(path.toString());
        if (errno != 0) {
            throw new SlipwayException("cannot create FIFO " + path + " (errno " + errno + ")");
        }
    }

    /**
     * Ends the process now with {@code status}, skipping the JVM's shutdown: the caller has
     * flushed its output and nothing is left for a shutdown hook. JDK 17's HttpClient keeps a
     * selector thread in epoll_wait, and the JVM waits 300 ms at exit for any thread in native
     * code; an image import spent a third of its warm time there. Falls back to
     * {@link System#exit} when the library cannot load.
     */
    public static void exitNow(int status) {
        try {
            ensureLoaded();
        } catch (SlipwayException e) {
            System.exit(status);
        }
        exitNow0(status);
    }

    /** Where the library is looked for: the property, else the installation's lib directory. */
    public static Optional<Path> libraryPath() {
        String configured = System.getProperty(LIBRARY_PROPERTY);
        if (configured != null && !configured.isEmpty()) {
            return Optional.of(Path.of(configured));
        }
        return Installation.current().map(Installation::nativeLibrary);
    }

    static synchronized void ensureLoaded() {
        if (loaded) {
            return;
        }
        Path library = libraryPath().orElseThrow(() -> new SlipwayException(
                "cannot locate libslipway.so: not running from an installation and -D" + LIBRARY_PROPERTY
                        + " is not set"));
        if (!Files.isRegularFile(library)) {
            throw new SlipwayException("native library " + library + " is missing; rebuild with make");
        }
        try {
            System.load(library.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw new SlipwayException("cannot load native library " + library + ": " + e.getMessage(), e);
        }
        loaded = true;
    }

    private static native boolean isatty0(int fd);

    private static native int getuid0();

    private static native int geteuid0();

    private static native int getgid0();

    private static native int kill0(int pid, int signal);

    private static native int mkfifo0(String path);

    private static native int pidfdOpen0(int pid);

    private static native int pidfdSendSignal0(int pidfd, int signal);

    private static native int close0(int fd);

    private static native void exitNow0(int status);

    private static native int pipe0(int size, int[] fds);
}
