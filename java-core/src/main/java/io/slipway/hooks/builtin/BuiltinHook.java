package io.slipway.hooks.builtin;

import java.io.IOException;
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
     * Container directories in which the hook will create mount points, asked before the root
     * filesystem is mounted so that they are made the user's (see slipway-rootfs --prepare):
     * directories the image owns as root are read-only to an unprivileged user even with the
     * namespace's capabilities. Only asked of hooks whose {@code when} holds for the container.
     *
     * @param annotations the container's annotations
     * @param home the user's home directory inside the container
     */
    default List<String> mountParents(Map<String, String> annotations, String home) {
        return List.of();
    }
}
