package io.slipway.hooks.builtin;

import io.slipway.runtime.FstabEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a built-in hook asks for, carried out after it returns, in this order: the mounts and
 * links (by slipway-mount, in the container's mount namespace, targets resolved inside the root),
 * then the commands (in the container's user and mount namespaces with full capabilities there,
 * before pivot_root, so host programs and the root at {@link HookContext#rootfs()} are both
 * visible), then the variables (they change the environment the container's processes get).
 */
public final class HookActions {

    /**
     * A command to run, and whether its failure only warns. With {@code daemonPidfile} non-null
     * it is a server started inside the container's root ({@link #runInRoot}).
     */
    public record Command(List<String> argv, boolean mayFail, String daemonPidfile, List<String> hostPidfiles) {
        public Command(List<String> argv, boolean mayFail) {
            this(argv, mayFail, null, List.of());
        }

        public boolean inRoot() {
            return daemonPidfile != null;
        }
    }

    private final List<FstabEntry> mounts = new ArrayList<>();
    private final List<Command> commands = new ArrayList<>();
    private final Map<String, String> setEnv = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** Binds host path {@code source} at container path {@code target}, creating the target if missing. */
    public HookActions bind(String source, String target, String... options) {
        List<String> opts = new ArrayList<>(List.of("rbind", "nosuid", "x-create=auto"));
        Collections.addAll(opts, options);
        mounts.add(FstabEntry.bind(source, target, opts));
        return this;
    }

    /** Binds host path {@code source} read-only at {@code target}. */
    public HookActions bindReadOnly(String source, String target) {
        return bind(source, target, "ro");
    }

    /** Binds a device node, keeping device access (no nodev). */
    public HookActions device(String source, String target) {
        mounts.add(FstabEntry.bind(source, target, List.of("bind", "nosuid", "x-create=file")));
        return this;
    }

    /** Creates the symbolic link {@code link} -> {@code target} in the container (replacing nothing). */
    public HookActions symlink(String target, String link) {
        mounts.add(new FstabEntry(target, link, "symlink", List.of("nofail")));
        return this;
    }

    /** Any mount plan entry. */
    public HookActions mount(FstabEntry entry) {
        mounts.add(entry);
        return this;
    }

    /** Runs {@code argv} after the mounts; a non-zero exit fails the hook. */
    public HookActions run(String... argv) {
        commands.add(new Command(List.of(argv), false));
        return this;
    }

    /** Runs {@code argv} after the mounts; a non-zero exit is only a warning. */
    public HookActions runMayFail(String... argv) {
        commands.add(new Command(List.of(argv), true));
        return this;
    }

    /**
     * Starts a server that lives with the container (the SSH hook's dropbear): {@code argv} is
     * run inside the container's root, as the plain user without capabilities, and must
     * daemonize and write its daemon's pid to {@code daemonPidfile} (a container path); its
     * output, and the daemon's, goes to {@value BuiltinHooks#DAEMON_LOG} in the hook's scratch
     * directory; a non-zero exit fails the hook with that output. The daemon's pid is then copied to each of
     * the host files {@code hostPidfiles}. Nothing stops it: the hook does that at poststop.
     */
    public HookActions runInRoot(String daemonPidfile, List<String> hostPidfiles, String... argv) {
        commands.add(new Command(List.of(argv), false, daemonPidfile, List.copyOf(hostPidfiles)));
        return this;
    }

    /** Sets a variable in the container's environment. */
    public HookActions setenv(String name, String value) {
        setEnv.put(name, value);
        return this;
    }

    /** Removes a variable from the container's environment. */
    public HookActions unsetenv(String name) {
        setEnv.put(name, null);
        return this;
    }

    /** A line for the user's verbose output ({@code srun -v}, {@code slipway run -v}). */
    public HookActions note(String line) {
        notes.add(line);
        return this;
    }

    public List<FstabEntry> mounts() {
        return List.copyOf(mounts);
    }

    public List<Command> commands() {
        return List.copyOf(commands);
    }

    /** Variables to set (null value: unset), in the order asked. */
    public Map<String, String> environment() {
        return Collections.unmodifiableMap(setEnv);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public boolean isEmpty() {
        return mounts.isEmpty() && commands.isEmpty() && setEnv.isEmpty();
    }
}
