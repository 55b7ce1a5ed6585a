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
 * visible), then the mounts of what the commands made ({@link #bindAfterCommands}), then the
 * variables (they change the environment the container's processes get). Those change the
 * container and so are only for the stages before pivot_root. Host commands come last and are
 * allowed at every stage, poststop included: they run in the hook's own process's namespaces, as
 * its user, with exactly the environment given (a daemon a hook starts for the container and
 * stops after it, such as CUDA MPS's control daemon).
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

    /**
     * A command to run on the host: {@code argv[0]} is an absolute path; {@code input} (or null)
     * is written to its stdin; its output goes to a log in the hook's scratch directory, never to
     * a pipe, so a daemon it leaves behind holds nothing the runtime waits for.
     */
    public record HostCommand(List<String> argv, Map<String, String> env, String input, boolean mayFail) {
        public HostCommand {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }
    }

    private final List<FstabEntry> mounts = new ArrayList<>();
    private final List<Command> commands = new ArrayList<>();
    private final List<HostCommand> hostCommands = new ArrayList<>();
    private final List<FstabEntry> lateMounts = new ArrayList<>();
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

    /**
     * Binds {@code source} (a path of the container's mount namespace before pivot_root, such as
     * a file a command wrote under {@link HookContext#rootfs()}) at {@code target} once the
     * commands ran: how a hook replaces an image file whose owner is not mapped in the user
     * namespace, which no rename can replace (overlayfs answers EOVERFLOW).
     */
    public HookActions bindAfterCommands(String source, String target, String... options) {
        List<String> opts = new ArrayList<>(List.of("bind", "nosuid"));
        Collections.addAll(opts, options);
        lateMounts.add(FstabEntry.bind(source, target, opts));
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

    /** Runs a command on the host after everything else; see {@link HostCommand}. */
    public HookActions runOnHost(HostCommand command) {
        hostCommands.add(command);
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

    /** A line for the user's verbose output ({@code srun -v}). */
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

    /** The mounts to do after the commands. */
    public List<FstabEntry> lateMounts() {
        return List.copyOf(lateMounts);
    }

    /** Variables to set (null value: unset), in the order asked. */
    public Map<String, String> environment() {
        return Collections.unmodifiableMap(setEnv);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public List<HostCommand> hostCommands() {
        return List.copyOf(hostCommands);
    }

    /** Whether nothing changes the container (host commands aside). */
    public boolean isEmpty() {
        return mounts.isEmpty() && commands.isEmpty() && lateMounts.isEmpty() && setEnv.isEmpty();
    }
}
