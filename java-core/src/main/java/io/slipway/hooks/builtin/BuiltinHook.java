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
     * The container paths the hook changes: directories it creates files, links or mount points
     * in, files it replaces, known before the container starts (from the host and the hook's
     * inputs, without the container's root). When the user is not remapped to root, the runtime
     * makes them the user's in the overlay before the root filesystem is assembled
     * (slipway-rootfs --prepare): an image's root-owned directory (/usr/lib/..., /opt, /run) is
     * otherwise closed even to the namespace's capabilities. Directories missing from the image
     * need not be listed when their parent is.
     */
    default List<String> preparedPaths(HookPlan plan) {
        return List.of();
    }
}
