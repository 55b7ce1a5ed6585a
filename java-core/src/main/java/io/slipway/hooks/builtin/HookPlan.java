package io.slipway.hooks.builtin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a built-in hook knows of a container before it starts, to name the paths it will change
 * ({@link BuiltinHook#preparedPaths}).
 *
 * @param args the hook file's arguments after the hook's name
 * @param hookEnv the hook file's env
 * @param env the container's environment as planned (the EDF's [env] applied, hooks' not yet)
 * @param annotations the container's annotations
 * @param bundle the container's runtime directory (its parent is the user's runtime directory,
 *     where a hook may keep what it learnt of the host between starts)
 */
public record HookPlan(List<String> args, Map<String, String> hookEnv, Map<String, String> env,
        Map<String, String> annotations, Path bundle) {}
