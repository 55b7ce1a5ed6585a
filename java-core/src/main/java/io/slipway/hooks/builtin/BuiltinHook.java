package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A hook built into Slipway. Its OCI hook file names {@code libexec/slipway/slipway-hook} with
 * {@code args[1]} the hook's name; Slipway's runtime runs it inside the starting JVM (no process
 * start), any other OCI runtime runs that launcher, which runs the same code as
 * {@code slipway hook NAME}. A hook looks at the container through its {@link HookContext} and
 * says what to do through {@link HookActions}: mounts, files, commands, variables. It never
 * mounts or writes into the container itself, so the same code serves both ways of running it.
 */
public interface BuiltinHook {

    /** The name after {@code slipway-hook}, and the NAME of its {@code com.hooks.NAME.*} annotations. */
    String name();

    /**
     * Does the hook's work for {@code ctx.stage()}. A {@link io.slipway.SlipwayException} (or an
     * IOException) fails a fatal stage with its message, prefixed by the hook's file.
     */
    void run(HookContext ctx, HookActions out) throws IOException;

    /**
     * Container directories in which {@link #run} may create mount points, known before the
     * container starts (from the host and the hook's inputs, without the container's root). Where
     * the user is not root in the container, a directory the image's root owns (/usr/lib, /opt,
     * /run...) refuses new entries even to the namespace's capabilities, so the runtime prepares
     * these (slipway-rootfs --prepare), as it does for the EDF's mounts. Directories that do not
     * exist in the image need not be listed when their parent is.
     *
     * @param bundle the container's runtime directory (its parent is the user's runtime
     *     directory, where a hook may keep what it learnt of the host between starts)
     * @param hookEnv the hook file's env
     * @param env the container's environment as planned (hooks and the EDF [env] not applied yet)
     * @param annotations the container's annotations
     */
    default List<String> mountParents(Path bundle, Map<String, String> hookEnv, Map<String, String> env,
            Map<String, String> annotations) {
        return List.of();
    }
}
